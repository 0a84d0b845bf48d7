"""The app's screens: setup, interview (with feedback), summary, history, help, confirm-quit."""
