"""The terminal UI (Textual): a shell over ``interviewer.practice.session``. Only this package imports textual.

``interviewer.tui.app.make_app(settings, options)`` builds the app; the
practice command and the tests use it.
"""
