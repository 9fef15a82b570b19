"""The cachetui app: theme, faults, the command palette's actions, and the browser screen.

Browsing lives in ``BrowserScreen``; loading in the UI-free ``LoadSession``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Optional

from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.theme import Theme

from ..catalog import Catalog
from ..faults import guard_handlers, log_exception
from ..host import Host
from ..limits import DEFAULT_DOWNLOAD_DEADLINE, DEFAULT_MAX_DOWNLOAD_MB
from ..loader import DEFAULT_MAX_BYTES, BackgroundLoad, TagGroup
from ..session import LoadOptions, LoadSession
from ..settings import Settings, remember_theme, remembered_theme
from ..text import visible
from .actions import bindings, check_keymap
from .palette import action_commands
from .screens.browser import BrowserScreen
from .timing import Delays
from .widgets.spec_table import SpecTable

if TYPE_CHECKING:
    from ..cli_spack import SpackInputs

NOTICES_KEPT = 200  # the notices the app remembers (tests and the benchmark read them)


@dataclass(frozen=True)
class Notice:
    message: str
    title: str
    severity: str


EXIT_CANCELLED = 130  # --print left with esc or ctrl+c, as fzf does


@guard_handlers
class CacheApp(App[Optional[str]]):
    CSS_PATH = "app.tcss"
    TITLE = "cachetui"
    BINDINGS = bindings("app")

    def __init__(self, paths: Sequence[str], theme: Optional[str] = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, print_format: Optional[str] = None,
                 tag: Optional[str] = None, timeout: float = 30.0, use_cache: bool = True,
                 lazy: bool = True, preload: Optional[BackgroundLoad] = None,
                 groups: Optional[list[TagGroup]] = None, delays: Optional[Delays] = None,
                 max_download_mb: float = DEFAULT_MAX_DOWNLOAD_MB,
                 download_deadline: float = DEFAULT_DOWNLOAD_DEADLINE,
                 host: Optional[Host] = None, tags: Optional[Mapping[str, str]] = None,
                 installed: Optional[frozenset] = None, jobs: int = 1,
                 settings: Optional[Settings] = None, offer_spack: bool = False) -> None:  # fmt: skip
        super().__init__()
        options = LoadOptions(max_bytes=max_bytes, tag=tag, timeout=timeout,
                              use_cache=use_cache, lazy=lazy, max_download_mb=max_download_mb,
                              download_deadline=download_deadline,
                              tags=tuple((tags or {}).items()), installed=installed,
                              jobs=jobs)  # fmt: skip
        # What the CLI already started or found: the load of ``paths`` under way, or the tag
        # groups of a big checkout (else the session looks for them itself).
        self.session = LoadSession(paths, options, preload=preload, groups=groups)
        self.browser = BrowserScreen(self.session, delays, print_format, host)
        self.offer_spack = offer_spack  # no PATH given: offer the user's Spack mirrors (``m``)
        self.earlier_sessions: list[LoadSession] = []  # what ``open_spack`` replaced
        self.print_format = print_format
        # The config file's settings; without them (tests, a library caller) the defaults, and
        # the theme chosen is not remembered.
        self.settings = settings
        self.requested_theme = theme or (remembered_theme(settings) if settings else None)
        self._theme_written: Optional[str] = None
        self.notices: deque[Notice] = deque(maxlen=NOTICES_KEPT)

    @property
    def catalog(self) -> Catalog:
        return self.browser.catalog

    def get_default_screen(self) -> Screen:
        return self.browser

    def on_mount(self) -> None:
        self._apply_settings()
        if self.requested_theme:
            if self.requested_theme in self.available_themes:
                self.theme = self.requested_theme
            else:
                names = ", ".join(sorted(self.available_themes))
                self.notify(f"No theme named {self.requested_theme!r}. Themes: {names}",
                            severity="warning", markup=False)  # fmt: skip
        if self.settings is not None:
            self._theme_written = self.theme  # no write for the theme we start with
            self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.print_format:
            self.sub_title = "--print"
            self.notify(f"Type to filter, enter prints the row (or the selection) as {self.print_format};"
                        " tab: to the list, where space selects; esc cancels", markup=False,
                        timeout=8)  # fmt: skip

    def _apply_settings(self) -> None:
        """The config file's keymap and columns; each trouble in it becomes one warning."""
        if self.settings is None:
            return
        messages = self.settings.messages()
        keymap, bad_keys = check_keymap(self.settings.keys, str(self.settings.path))
        messages += bad_keys
        if keymap:
            self.set_keymap(keymap)
        for message in messages:
            self.notify(message, title="Settings", severity="warning", timeout=15, markup=False)

    def on_ready(self) -> None:
        # The browser is composed by now (it is not yet in ``on_mount``).
        if self.settings is not None and self.settings.columns:
            self.browser.query_one(SpecTable).set_columns(self.settings.columns)

    def _remember_theme(self, theme: Theme) -> None:
        if self.settings is None or theme.name == self._theme_written:
            return
        self._theme_written = theme.name
        failed = remember_theme(theme.name, self.settings)
        if failed:
            self.notify(f"The theme will not be remembered: {failed}", title="Settings",
                        severity="warning", markup=False)  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> Optional[bool]:
        if action == "cancel_print":  # only on the browser itself: esc still closes dialogs
            return bool(self.print_format) and self.screen is self.browser
        return True

    def action_cancel_print(self) -> None:
        self.exit(None, return_code=EXIT_CANCELLED)

    def notify(self, message: str, *, title: str = "", severity="information",
               timeout: Optional[float] = None, markup: bool = True) -> None:  # fmt: skip
        self.notices.append(Notice(message, title, severity))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def report_fault(self, error: BaseException, where: str = "") -> None:
        """An unexpected error: log it, say so, keep running."""
        log = log_exception(error, where)
        where_log = f" Details in {log}." if log else ""
        self.notify(f"Something went wrong ({type(error).__name__}: {error}).{where_log}"
                    " cachetui keeps running.", title="Unexpected error", severity="error",
                    timeout=15, markup=False)  # fmt: skip

    def save_unsaved_caches(self) -> None:
        """Write what a quick quit left unsaved (called after the browser has exited)."""
        for session in [*self.earlier_sessions, self.session]:
            session.save_all()

    def open_spack(self, found: SpackInputs) -> None:
        """Browse the user's Spack mirrors instead of what is open (the bundled seeds): as
        ``cachetui --spack`` would, in a new browser screen."""
        old = self.browser
        options = replace(self.session.options, tags=tuple(found.tags.items()),
                          installed=found.installed)  # fmt: skip
        self.earlier_sessions.append(self.session)
        self.session = LoadSession(found.paths, options)
        self.offer_spack = False
        self.browser = BrowserScreen(self.session, old.delays, self.print_format, old.host)
        # Pushed over the old browser (Textual cannot switch away from the default screen);
        # nothing on the new one goes back to it.
        self.push_screen(self.browser)
        self.notify(f"Opening {len(found.paths)} mirror(s) of your Spack.", markup=False)
        for problem in found.problems:
            self.notify(visible(str(problem)), title="Your Spack", severity="warning", markup=False)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from action_commands(self, screen, BrowserScreen)
