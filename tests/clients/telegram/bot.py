"""A Telegram bot written with python-telegram-bot, unmodified, pointed at
diorama's Bot API with the library's `base_url` option.

    bot.py BASE TOKEN answer   long-poll getUpdates with an Application,
                               answer the first private message with a
                               quoted reply and stop; print both messages
    bot.py BASE TOKEN channel  read the bot and its channel, post to the
                               channel in HTML; print what came back
    bot.py BASE TOKEN keyboard N  answer the first N fans who wrote with an
                               inline keyboard; print the answers
    bot.py BASE TOKEN presses  long-poll until a fan presses a button,
                               answer the callback query; print it
    bot.py BASE TOKEN switch PORT  long-poll and answer a fan, then switch
                               to a webhook on 127.0.0.1:PORT (the library's
                               own server, with a secret token) and answer
                               the next fan who writes; print both

BASE is the server's `/native/telegram/` base; the library appends
`bot<token>/<method>`. Output: one JSON object on stdout.
"""

import asyncio
import json
import sys

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


def message(m):
    return {
        "message_id": m.message_id,
        "chat_id": m.chat.id,
        "chat_type": m.chat.type,
        "from_id": m.from_user.id if m.from_user else None,
        "from_is_bot": m.from_user.is_bot if m.from_user else None,
        "text": m.text,
        "date": int(m.date.timestamp()),
        "reply_to": m.reply_to_message.message_id if m.reply_to_message else None,
        "entities": [[e.type, e.offset, e.length] for e in m.entities],
    }


def answer(base, token):
    seen = {}

    async def on_private(update: Update, context: ContextTypes.DEFAULT_TYPE):
        if "fan" in seen:
            return
        seen["fan"] = message(update.message)
        sent = await update.message.reply_text(
            "Thanks for writing, <b>really</b> appreciated!",
            parse_mode=ParseMode.HTML,
            do_quote=True,
        )
        seen["sent"] = message(sent)
        seen["update_id"] = update.update_id
        context.application.stop_running()

    app = Application.builder().token(token).base_url(base + "bot").build()
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, on_private))
    # Long polling: the server holds getUpdates up to `timeout` seconds
    # while it has nothing.
    app.run_polling(
        poll_interval=0.2,
        timeout=10,
        allowed_updates=["message", "channel_post", "callback_query"],
        close_loop=False,
    )
    seen["bot"] = app.bot.username
    return seen


async def channel(base, token):
    async with Bot(token, base_url=base + "bot") as bot:
        me = await bot.get_me()
        updates = await bot.get_updates(allowed_updates=["channel_post"], timeout=0)
        post = next(u.channel_post for u in reversed(updates) if u.channel_post)
        chat = await bot.get_chat(post.chat.id)
        members = await bot.get_chat_member_count(chat.id)
        sent = await bot.send_message(
            chat.id, "<i>New</i> episode is out", parse_mode=ParseMode.HTML
        )
        return {
            "bot": {"id": me.id, "username": me.username, "is_bot": me.is_bot},
            "chat": {"id": chat.id, "type": chat.type, "username": chat.username,
                     "linked_chat_id": chat.linked_chat_id},
            "members": members,
            "last_post": message_or_post(post),
            "sent": message_or_post(sent),
        }


def message_or_post(m):
    return {
        "message_id": m.message_id,
        "chat_id": m.chat.id,
        "text": m.text,
        "sender_chat": m.sender_chat.id if m.sender_chat else None,
        "entities": [[e.type, e.offset, e.length] for e in m.entities],
    }


# How long a polling command waits at most (seconds) before it stops with
# what it has.
DEADLINE = 90


async def deadline(app):
    asyncio.get_running_loop().call_later(DEADLINE, app.stop_running)


def keyboard(base, token, n):
    answered = {}

    async def on_private(update: Update, context: ContextTypes.DEFAULT_TYPE):
        chat = update.message.chat.id
        if chat in answered or len(answered) >= n:
            return
        sent = await update.message.reply_text(
            "What should the next video be?",
            reply_markup=InlineKeyboardMarkup(
                [[
                    InlineKeyboardButton("Tutorial", callback_data="vote:tutorial"),
                    InlineKeyboardButton("Review", callback_data="vote:review"),
                ]]
            ),
        )
        answered[chat] = sent.message_id
        if len(answered) >= n:
            context.application.stop_running()

    app = Application.builder().token(token).base_url(base + "bot").post_init(deadline).build()
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, on_private))
    app.run_polling(poll_interval=0.2, timeout=10, allowed_updates=["message"], close_loop=False)
    return {"sent": list(answered.values())}


def presses(base, token):
    seen = {}

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE):
        if "press" in seen:
            return
        q = update.callback_query
        answered = await q.answer("Noted, thanks!")
        seen["press"] = {
            "id": q.id,
            "data": q.data,
            "from_id": q.from_user.id,
            "message_id": q.message.message_id,
            "chat_id": q.message.chat.id,
            "answered": answered,
        }
        context.application.stop_running()

    app = Application.builder().token(token).base_url(base + "bot").post_init(deadline).build()
    app.add_handler(CallbackQueryHandler(on_press))
    app.run_polling(poll_interval=0.2, timeout=10, allowed_updates=["callback_query"], close_loop=False)
    if "press" not in seen:
        raise SystemExit(f"no fan pressed a button within {DEADLINE} s")
    return seen["press"]


SECRET = "diorama-switch-1"


def switch(base, token, port):
    out = {"polled": answer(base, token)}
    seen = {}

    async def on_private(update: Update, context: ContextTypes.DEFAULT_TYPE):
        if "fan" in seen:
            return
        seen["fan"] = message(update.message)
        seen["update_id"] = update.update_id
        sent = await update.message.reply_text("Got this one over the webhook, thanks!")
        seen["sent"] = message(sent)
        info = await context.bot.get_webhook_info()
        seen["webhook_url"] = info.url
        context.application.stop_running()

    app = Application.builder().token(token).base_url(base + "bot").post_init(deadline).build()
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, on_private))
    # The library starts its own server, then calls setWebhook with the
    # URL and the secret token; it refuses a delivery without the token.
    app.run_webhook(
        listen="127.0.0.1",
        port=port,
        url_path="hook",
        webhook_url=f"http://127.0.0.1:{port}/hook",
        secret_token=SECRET,
        allowed_updates=["message"],
        close_loop=False,
    )
    if "fan" not in seen:
        raise SystemExit(f"no update came over the webhook within {DEADLINE} s")
    out["webhook"] = seen
    return out


def main():
    base, token, command = sys.argv[1], sys.argv[2], sys.argv[3]
    if command == "answer":
        out = answer(base, token)
    elif command == "channel":
        out = asyncio.run(channel(base, token))
    elif command == "keyboard":
        out = keyboard(base, token, int(sys.argv[4]))
    elif command == "presses":
        out = presses(base, token)
    elif command == "switch":
        out = switch(base, token, int(sys.argv[4]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
