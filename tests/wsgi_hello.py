"""A minimal WSGI application: what gunicorn serves in tests/test_request_edge.py."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "7")])
    return [b"bonjour"]
