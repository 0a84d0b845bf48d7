"""Reading an answer as text: analysis, fillers and delivery."""
