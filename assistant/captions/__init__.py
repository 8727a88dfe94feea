"""Live captions: speech recognition on the listening stream's input tap, fully offline."""
