"""The terminal chat: the embedded default channel, so anyone can try the bot with no token.

Buttons are shown as numbered options; typing the number presses the button. The chat
goes through the same inbox, handlers and outbox as Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.channels.base import InboxSink, Pace, PartDelivered
from bot.delivery.envelope import Envelope
from handlers.button_codec import number
from handlers.model import Address, Button, ChatKind, Incoming, Reply, Sender, Style
from handlers.texts import Texts

try:
    import termios
except ImportError:  # Windows: no terminal settings to restore
    termios = None  # type: ignore[assignment]

CHANNEL = "console"
EXIT_COMMANDS = {"/thoat", "/thoát", "/exit", "/quit"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

LineReader = Callable[[str], Awaitable[str | None]]


async def read_terminal_line(prompt: str) -> str | None:
    """One typed line; None at end of input.

    At a terminal, input() gives line editing (readline) and runs in a daemon thread, not
    the loop's executor: Ctrl-C must end the chat at once, and asyncio waits for executor
    threads at exit (here: for the Enter key). The terminal settings readline changes while
    it waits are put back when Ctrl-C cuts it short. Piped input never waits for a person
    and is read directly.
    """
    if sys.stdin is None:  # started with stdin closed: nothing will ever be typed
        return None
    if not sys.stdin.isatty():
        print(prompt, end="", flush=True)
        typed = sys.stdin.readline()
        return typed.removesuffix("\n") if typed else None
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (importing it turns on line editing for input())
    loop = asyncio.get_running_loop()
    line: asyncio.Future[str | None] = loop.create_future()

    def deliver(result: str | None, error: BaseException | None) -> None:
        if line.done():
            return
        if error is None:
            line.set_result(result)
        else:
            line.set_exception(error)

    def read() -> None:
        result, error = None, None
        try:
            result = input(prompt)
        except EOFError:
            pass
        except Exception as err:  # stdin closed, unreadable: end the chat with the error
            error = err
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            loop.call_soon_threadsafe(deliver, result, error)

    settings = _terminal_settings()
    threading.Thread(target=read, name="terminal-input", daemon=True).start()
    try:
        return await line
    except asyncio.CancelledError:
        _restore_terminal(settings)
        raise


def _terminal_settings() -> list[Any] | None:
    if termios is None:
        return None
    try:
        return termios.tcgetattr(sys.stdin.fileno())
    except (termios.error, OSError, ValueError):
        return None


def _restore_terminal(settings: list[Any] | None) -> None:
    if termios is not None and settings is not None:
        with contextlib.suppress(termios.error, OSError, ValueError):
            termios.tcsetattr(sys.stdin.fileno(), termios.TCSANOW, settings)


def render(reply: Reply, first: int = 1) -> tuple[str, list[Button]]:
    """Plain text for a terminal, with control characters removed, and the buttons to
    press by number, numbered from `first`; a link button shows its address instead."""
    lines = []
    for block in reply.blocks:
        text = CONTROL.sub("", block.plain)
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
    pressable = [button for button in buttons if not button.url]
    shown = [f"  [{n}] {CONTROL.sub('', b.label)}" for n, b in enumerate(pressable, first)]
    shown += [f"  {CONTROL.sub('', b.label)}: {b.url}" for b in buttons if b.url]
    if shown:
        lines.append("\n".join(shown))
    return "\n\n".join(lines), pressable


class ConsoleChannel:
    """One person in this terminal: each typed line goes through the inbox like any
    update, and what the outbox has for them is printed.

    With `chat` naming a group (the hotline's team chat, `commune-bot chat --staff`),
    the person writes in that group, and each line answers the last message shown, as
    a Telegram reply would: a ticket's message, so the answer goes to its official.
    """

    name = CHANNEL

    def __init__(
        self,
        texts: Texts,
        settle: Callable[[], Awaitable[None]],
        *,
        read_line: LineReader = read_terminal_line,
        write: Callable[[str], None] = print,
        sender: Sender | None = None,
        chat: Address | None = None,
    ) -> None:
        self._texts = texts
        self._settle = settle
        self._read_line = read_line
        self._write = write
        self._sender = sender or Sender(CHANNEL, "local")
        self.chat = chat or Address(CHANNEL, self._sender.id)
        self._last_shown: str | None = None
        # Every button shown so far, by its number: numbers go on from one message to
        # the next, so an older message's buttons keep their meaning.
        self._buttons: dict[int, Button] = {}
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._loop: asyncio.Task[None] | None = None

    async def start(self, inbox: InboxSink) -> None:
        self._loop = asyncio.create_task(self._converse(inbox))

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            await asyncio.gather(self._loop, return_exceptions=True)

    async def wait_closed(self) -> None:
        await self._closed

    def parse(self, payload: Mapping[str, Any]) -> Incoming | None:
        sender = Sender(CHANNEL, str(payload["who"]), str(payload.get("name", "")))
        chat = str(payload.get("chat", sender.id))
        return Incoming(
            sender, Address(CHANNEL, chat),
            ChatKind.PRIVATE if chat == sender.id else ChatKind.GROUP,
            update_id=str(payload["update_id"]), message_id=str(payload["update_id"]),
            reply_to=payload.get("reply_to"),
            text=payload.get("text"), button=payload.get("button"),
        )

    def pace(self, address: Address) -> Pace:
        return Pace()

    async def open_thread(self, address: Address, name: str) -> str | None:
        return None  # a terminal has no threads

    async def send(self, envelope: Envelope, on_part: PartDelivered) -> None:
        # Ids unique across restarts and processes: the delivery records key on them.
        message_id = uuid.uuid4().hex
        if envelope.address.chat_id == self.chat.chat_id and envelope.reply is not None:
            shown, pressable = render(envelope.reply, len(self._buttons) + 1)
            self._buttons.update(enumerate(pressable, len(self._buttons) + 1))
            self._write(f"\n{self._texts('console_bot')}:\n{shown}\n")
            self._last_shown = message_id
        await on_part(message_id, True)

    async def _converse(self, inbox: InboxSink) -> None:
        try:
            self._write(self._texts("console_intro"))
            while await self._exchange(inbox):
                pass
            self._write(self._texts("console_goodbye"))
        finally:
            if not self._closed.done():
                self._closed.set_result(None)

    async def _exchange(self, inbox: InboxSink) -> bool:
        """Read one line and show the answer; False at the end of the conversation."""
        line = await self._read_line(self._texts("console_prompt"))
        if line is None or line.strip().lower() in EXIT_COMMANDS:
            return False
        text = line.strip()
        if not text:
            return True
        choice = number(text) if len(text) <= 3 else None  # not "²" nor a long number
        update: dict[str, Any] = {"who": self._sender.id, "name": self._sender.name,
                                  "update_id": uuid.uuid4().hex, "chat": self.chat.chat_id}
        if self.chat.chat_id != self._sender.id and self._last_shown is not None:
            update["reply_to"] = self._last_shown
        if choice is not None and self._buttons:
            if choice not in self._buttons:
                self._write(self._texts("console_choice_out_of_range", number=choice))
                return True
            update["button"] = self._buttons[choice].data
        else:
            update["text"] = text
        await inbox.receive(CHANNEL, [(update["update_id"], update)])
        await self._settle()
        return True
