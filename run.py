"""Development entry point: ``python run.py`` (or ``make run``).

With FLASK_DEBUG=1 the server reloads on code changes, but the interactive Werkzeug
debugger stays off: errors are logged and shown in the console of the page.
"""

import os

from app import create_app
from app.serving import QuietRequestHandler

app = create_app()

if __name__ == "__main__":
    app.run(
        host="127.0.0.1",
        port=int(os.environ.get("PORT", "8080")),
        use_debugger=False,
        use_reloader=app.debug,
        request_handler=QuietRequestHandler,
    )
