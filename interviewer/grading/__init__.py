"""The grading interface and what every grader shares: items, grades, injection checks."""
