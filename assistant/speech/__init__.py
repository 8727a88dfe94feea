"""Speech output: text to verified audio on pyttsx3, a queue with stop and skip, and routes to
the person's headphones, another output device or a WAV file."""
