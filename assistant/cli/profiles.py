"""`hark profiles ...`: the encrypted communication-profile store from the command line.

Which store, the passphrase and the name in the audit log follow assistant/personalise/store.py
($HARK_NEW_PASSPHRASE or a prompt gives the new passphrase in `passwd`). This module only prompts
and prints: every failure is a ProfileError or ProfileUseError printed as one message, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from assistant.cli.desktop import needs_desktop_message
from assistant.cli.options import add_store_arguments
from assistant.cli.profile_prompts import Prompter, ask_profile
from assistant.personalise.store import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    open_store,
    passphrase,
    store_path,
    user_name,
)
from profiles import json_io, sar
from profiles.crypto import SCRYPT_N, scrypt_n_from_env
from profiles.errors import ProfileError
from profiles.model import merge_patch
from profiles.store import ProfileStore
from profiles.wording import counted


def _open(args: argparse.Namespace) -> ProfileStore:
    return open_store(args.store, args.as_name)


def _init(args: argparse.Namespace) -> int:
    path = store_path(args.store)
    cost = scrypt_n_from_env()
    if cost is not None and cost < SCRYPT_N:
        print(
            f"Note: $HARK_SCRYPT_N lowers the passphrase cost to {cost} (default {SCRYPT_N}); use this only "
            f"for tests.",
            file=sys.stderr,
        )
    new_passphrase = passphrase(PASSPHRASE_ENV, "New passphrase for the profile store: ", new=True)
    ProfileStore.create(path, new_passphrase, user_name(args.as_name)).close()
    print(
        f"Created an encrypted profile store at {path}. Keep the passphrase safe: without it nobody, "
        f"including you, can read the profiles."
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        summaries = store.list_profiles()
    if not summaries:
        print("No profiles yet: add one with `hark profiles create`.")
        return 0
    today = date.today().isoformat()
    width = max(len(summary.preferred_name) for summary in summaries)
    print(f"{'ID':<20}  {'NAME':<{width}}  REVIEW")
    for summary in summaries:
        review = summary.review_date or "not set"
        flag = "  OVERDUE" if summary.review_date and summary.review_date < today else ""
        print(f"{summary.id:<20}  {summary.preferred_name:<{width}}  {review}{flag}")
    return 0


def _render(value: Any, indent: str = "") -> list[str]:
    lines = []
    for key, item in value.items():
        label = key.replace("_", " ")
        if isinstance(item, dict):
            lines += [f"{indent}{label}:", *_render(item, indent + "  ")]
        elif isinstance(item, list) and item and isinstance(item[0], dict):
            lines.append(f"{indent}{label}:")
            for entry in item:
                entry_lines = _render(entry, indent + "    ")
                lines += [f"{indent}  - {entry_lines[0].lstrip()}", *entry_lines[1:]]
        else:
            shown = (
                "none"
                if item in (None, "", [])
                else json.dumps(item, ensure_ascii=False)
                if isinstance(item, list | bool)
                else str(item)
            )
            lines.append(f"{indent}{label}: {shown}")
    return lines


def _show(args: argparse.Namespace) -> int:
    with _open(args) as store:
        profile = store.view(args.id, args.version)
    print(json.dumps(profile, ensure_ascii=False, indent=2) if args.json else "\n".join(_render(profile)))
    return 0


def _create(args: argparse.Namespace) -> int:
    with _open(args) as store:
        data = json_io.load_json(Path(args.from_file)) if args.from_file else ask_profile(None, store.who)
        print(store.create_profile(data))
    return 0


def _edit(args: argparse.Namespace) -> int:
    with _open(args) as store:
        if args.revert is not None:
            version = store.revert(args.id, args.revert)
        elif args.from_file:
            patch = json_io.load_json(Path(args.from_file))
            version = store.update_profile(args.id, merge_patch(store.current(args.id), patch))
        else:
            version = store.update_profile(args.id, ask_profile(store.view(args.id), store.who))
    print(
        f"{args.id} is now at version {version}."
        if version
        else f"Nothing changed; {args.id} was not saved again."
    )
    return 0


def _pdf_writer(args: argparse.Namespace) -> Callable[[dict[str, Any], Path], None]:
    desktop = getattr(args, "desktop", None)  # the window side prints it (assistant/cli/desktop.py)
    if desktop is None:
        raise ProfileError(needs_desktop_message("The passport PDF"))
    return desktop.write_passport_pdf


def _fhir_writer(args: argparse.Namespace) -> Callable[[dict[str, Any], Path], None]:
    try:
        from profiles.fhir import profile_to_fhir_bundle
    except ImportError as error:
        raise ProfileError(f"The FHIR export is not available in this Hark ({error}).") from None
    return lambda profile, path: json_io.write_atomic(path, json_io.dumps(profile_to_fhir_bundle(profile)))


_WRITERS: dict[str, Callable[[argparse.Namespace], Callable[[dict[str, Any], Path], None]]] = {
    "json": lambda args: json_io.write_profile,
    "pdf": _pdf_writer,
    "fhir": _fhir_writer,
}


def _export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise ProfileError(f"{out} already exists; choose another name, or add --force to replace it.")
    writer = _WRITERS[args.format](args)
    with _open(args) as store:
        profile = store.view(args.id, action="export", format=args.format)
    writer(profile, out)
    print(f"Wrote {out}. It is not encrypted: keep it safe and delete it when it has served its purpose.")
    return 0


def _import(args: argparse.Namespace) -> int:
    profiles = json_io.read_import(Path(args.path))
    with _open(args) as store:
        ids = store.import_profiles(profiles)
    for profile_id in ids:
        print(profile_id)
    print(f"Imported {counted(len(ids), 'profile')}.", file=sys.stderr)
    return 0


def _delete(args: argparse.Namespace) -> int:
    with _open(args) as store:
        if not args.yes:
            name = store.current(args.id)["identity"]["preferred_name"]
            answer = Prompter().ask(
                f"Delete {name} ({args.id}), their history and sessions, for good? Type yes to delete", None
            )
            if (answer or "").lower() != "yes":
                print("Nothing was deleted.", file=sys.stderr)
                return 1
        scrubbed = store.delete_profile(args.id)
    print(f"Deleted {args.id}: the profile, every version and every session are gone from the store.")
    if not scrubbed:
        print(
            "Another Hark process has the store open, so old copies may stay in its -wal file until the next "
            "`hark profiles` command; they are encrypted.",
            file=sys.stderr,
        )
    return 0


def _history(args: argparse.Namespace) -> int:
    with _open(args) as store:
        versions = store.history(args.id)
    for info in versions:
        what = {
            "create": "created",
            "import": "imported",
            "edit": "changed",
            "revert": f"put back as version {info.from_version}",
        }.get(info.action, info.action)
        fields = f": {', '.join(info.changed)}" if info.changed else ""
        print(f"version {info.version:>3}  {info.at}  {info.who}  {what}{fields}")
    print(f"Undo a change with `hark profiles edit {args.id} --revert VERSION`.", file=sys.stderr)
    return 0


def _audit(args: argparse.Namespace) -> int:
    with _open(args) as store:
        if args.verify:
            report = store.verify()
            if not report.ok:
                print("The store FAILED verification:", file=sys.stderr)
                for problem in report.problems:
                    print(f"  - {problem}", file=sys.stderr)
                return 1
            print(
                f"Verified: {counted(report.entries, 'audit entry', 'audit entries')} in an unbroken chain; "
                f"{counted(report.profiles, 'profile')}, {counted(report.versions, 'version')} and "
                f"{counted(report.sessions, 'session')} all decrypt and are valid. "
                f"Head fingerprint {report.fingerprint} (note it to detect a later roll-back)."
            )
            return 0
        for entry in store.audit_log(args.id):
            detail = " ".join(
                f"{key}={value}" if not isinstance(value, list) else f"{key}={','.join(value)}"
                for key, value in entry.detail.items()
            )
            print(
                f"{entry.seq:>6}  {entry.at}  {entry.who}  {entry.action:<12} {entry.profile_id or '-'}  {detail}"
            )
    return 0


def _passwd(args: argparse.Namespace) -> int:
    with _open(args) as store:
        store.change_passphrase(passphrase(NEW_PASSPHRASE_ENV, "New passphrase: ", new=True))
    print("The passphrase is changed. The old one no longer opens the store.")
    return 0


def _sar(args: argparse.Namespace) -> int:
    out = Path(args.out)
    writers: dict[str, Any] = {}
    for name, make in (("passport.pdf", _pdf_writer), ("fhir.json", _fhir_writer)):
        try:
            writers[name] = make(args)
        except ProfileError as error:
            writers[name] = error.headline
    with _open(args) as store:
        data = store.subject_access(args.id)
        files = sar.write_bundle(data, out, who=store.who, store=store.path, writers=writers)
    print(f"Wrote everything held about {args.id} to {out}: {', '.join(files)}.")
    return 0


def _store_options(default: Any) -> argparse.ArgumentParser:
    # Accepted before or after the subcommand; the subcommand's copy must not reset the first one.
    options = argparse.ArgumentParser(add_help=False)
    add_store_arguments(options, default)
    return options


def add_commands(commands: Any) -> None:
    profiles = commands.add_parser(
        "profiles", parents=[_store_options(None)], help="encrypted communication profiles"
    )
    common = _store_options(argparse.SUPPRESS)
    sub = profiles.add_subparsers(dest="profiles_command", metavar="COMMAND", required=True)

    def add(name: str, run: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help_text)
        parser.set_defaults(run=run)
        return parser

    add("init", _init, "create a new encrypted store")
    add("list", _list, "list profiles with preferred names and review dates")
    show = add("show", _show, "show a profile")
    show.add_argument("id", metavar="ID")
    show.add_argument("--version", type=int, help="an older version (see `history`)")
    show.add_argument("--json", action="store_true", help="print the profile as JSON")
    create = add("create", _create, "add a profile (prompts, or --from FILE); prints the new id")
    create.add_argument("--from", dest="from_file", metavar="FILE", help="a profile JSON file")
    edit = add("edit", _edit, "change a profile (prompts, --from FILE, or --revert VERSION)")
    edit.add_argument("id", metavar="ID")
    how = edit.add_mutually_exclusive_group()
    how.add_argument(
        "--from",
        dest="from_file",
        metavar="FILE",
        help="JSON with the fields to change (a JSON merge patch: null resets a field)",
    )
    how.add_argument("--revert", type=int, metavar="VERSION", help="make a new version equal to this old one")
    export = add("export", _export, "write a profile as JSON, a passport PDF or a FHIR bundle")
    export.add_argument("id", metavar="ID")
    export.add_argument("--format", choices=("json", "pdf", "fhir"), required=True)
    export.add_argument("--out", metavar="PATH", required=True)
    export.add_argument("--force", action="store_true", help="replace PATH if it exists")
    imports = add("import", _import, "add the profiles in a JSON file (all or nothing)")
    imports.add_argument("path", metavar="PATH")
    delete = add("delete", _delete, "erase a profile, its history and sessions")
    delete.add_argument("id", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    history = add("history", _history, "show every version of a profile")
    history.add_argument("id", metavar="ID")
    audit = add("audit", _audit, "show the audit log, or --verify the whole store")
    audit.add_argument("--verify", action="store_true", help="check the audit chain and every record")
    audit.add_argument("--id", metavar="ID", help="only the entries about this profile")
    add("passwd", _passwd, "change the store's passphrase")
    sar_parser = add("sar", _sar, "subject-access export: everything held about one person")
    sar_parser.add_argument("id", metavar="ID")
    sar_parser.add_argument("--out", metavar="DIR", required=True)
