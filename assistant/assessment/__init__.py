"""An assessment session's record of practicable steps, and its saving as the session goes."""
