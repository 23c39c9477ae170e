"""The ceiling: the smallest Flask app, served by the same gunicorn settings as Colophon."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
