"""The staff web console (issue 15): server-rendered pages at `/staff/`, served by the bot's HTTP app
(bot/http.py) and by `civicbot web`. How to add a page: bot/web/README.md."""
