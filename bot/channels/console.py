"""The terminal chat: the embedded default channel, so anyone can try the bot with no token.

Buttons are shown as numbered options; typing the number presses the button.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Awaitable, Callable

from handlers.dispatcher import Dispatcher
from handlers.model import Button, Incoming, Reply, Sender, Style
from handlers.texts import Texts

CHANNEL = "console"
EXIT_COMMANDS = {"/thoat", "/thoát", "/exit", "/quit"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

LineReader = Callable[[str], Awaitable[str | None]]


async def read_terminal_line(prompt: str) -> str | None:
    """input() with line editing (readline), off the event loop; None at end of input.

    input() runs in a daemon thread, not the loop's executor: Ctrl-C must end the chat at
    once, and asyncio waits for executor threads at exit (here: for the Enter key).
    """
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it turns on line editing for input())
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str | None] = loop.create_future()

    def deliver(result: str | None) -> None:
        if not line.done():
            line.set_result(result)

    def read() -> None:
        try:
            result = input(prompt)
        except (EOFError, KeyboardInterrupt):
            result = None
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            loop.call_soon_threadsafe(deliver, result)

    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    return await line


def render(reply: Reply) -> tuple[str, list[Button]]:
    """Plain text for a terminal, with control characters removed, and the numbered buttons."""
    lines = []
    for block in reply.blocks:
        text = CONTROL.sub("", block.text)
        match block.style:
            case Style.TITLE:
                lines.append(f"{text}\n{'─' * min(len(text), 60)}")
            case Style.HEADING:
                lines.append(f"▸ {text}")
            case Style.NOTE:
                lines.append(f"  {text}")
            case _:
                lines.append(text)
    buttons = [button for row in reply.buttons for button in row]
    if buttons:
        lines.append(
            "\n".join(f"  [{n}] {CONTROL.sub('', b.label)}" for n, b in enumerate(buttons, 1))
        )
    return "\n\n".join(lines), buttons


def is_choice(text: str) -> bool:
    """A typed button number: a few ASCII digits (not "²", not a 5,000-digit number)."""
    return text.isascii() and text.isdigit() and len(text) <= 3


class ConsoleChannel:
    def __init__(
        self,
        dispatcher: Dispatcher,
        texts: Texts,
        *,
        read_line: LineReader = read_terminal_line,
        write: Callable[[str], None] = print,
        sender: Sender | None = None,
    ) -> None:
        self._dispatcher = dispatcher
        self._texts = texts
        self._read_line = read_line
        self._write = write
        self._sender = sender or Sender(CHANNEL, "local")

    async def run(self) -> None:
        self._write(self._texts("console_intro"))
        buttons: list[Button] = []
        while True:
            line = await self._read_line(self._texts("console_prompt"))
            if line is None or line.strip().lower() in EXIT_COMMANDS:
                self._write(self._texts("console_goodbye"))
                return
            text = line.strip()
            if not text:
                continue
            if is_choice(text) and buttons:
                number = int(text)
                if not 1 <= number <= len(buttons):
                    self._write(self._texts("console_choice_out_of_range", number=number))
                    continue
                incoming = self._incoming(button=buttons[number - 1].data)
            else:
                incoming = self._incoming(text=text)
            for reply in await self._dispatcher.handle(incoming):
                shown, buttons = render(reply)
                self._write(f"\n{self._texts('console_bot')}:\n{shown}\n")

    def _incoming(self, *, text: str | None = None, button: str | None = None) -> Incoming:
        return Incoming(self._sender, chat_id=self._sender.id, text=text, button=button)
