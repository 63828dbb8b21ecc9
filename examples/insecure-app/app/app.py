"""A tiny order service with the classic mistakes left in on purpose (the Garrison demo scans this)."""

import sqlite3
import subprocess

import yaml
from flask import Flask, request

from app import settings

app = Flask(__name__)
app.config["SECRET_KEY"] = settings.SECRET_KEY


@app.route("/orders")
def orders():
    customer = request.args.get("customer", "")
    db = sqlite3.connect("orders.db")
    # SQL built from user input
    rows = db.execute(f"SELECT * FROM orders WHERE customer = '{customer}'").fetchall()
    return {"orders": rows}


@app.route("/import", methods=["POST"])
def import_orders():
    # yaml.load without a safe loader executes arbitrary tags
    data = yaml.load(request.data, Loader=yaml.Loader)
    return {"imported": len(data)}


@app.route("/ping")
def ping():
    host = request.args.get("host", "127.0.0.1")
    return subprocess.check_output(f"ping -c 1 {host}", shell=True)


if __name__ == "__main__":
    app.run(host="0.0.0.0", debug=True)
