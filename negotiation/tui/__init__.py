"""The Textual app. Only this package and the CLI import Textual."""
