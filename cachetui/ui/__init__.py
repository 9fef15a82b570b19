"""The Textual user interface. The core (every other module of ``cachetui``) never imports it."""
