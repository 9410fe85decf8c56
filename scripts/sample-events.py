#!/usr/bin/env python3
"""Writes samples/clickstream/events/*.ndjson: clickstream events in the three accepted shapes, made from the real
DummyJSON users (ip, userAgent, address) and products in samples/apis/dummyjson. Deterministic (fixed seed)."""
import json, random, re, os
from datetime import datetime, timedelta, timezone

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
users = json.load(open(os.path.join(root, "samples/apis/dummyjson/users.json")))
products = json.load(open(os.path.join(root, "samples/apis/dummyjson/products.json")))
rng = random.Random(20240501)
referrers = ["https://www.google.com/", "https://www.bing.com/search?q=shop", "https://l.facebook.com/",
             "https://t.co/abc", "https://news.example.org/deals", "", "https://shop.example.com/"]
stores = ["12", "7", "31"]

def slug(title):
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")

def url(p):
    return f"https://shop.example.com/products/{slug(p['title'])}"

out_dir = os.path.join(root, "samples/clickstream/events")
os.makedirs(out_dir, exist_ok=True)
for day in (datetime(2024, 5, 1, tzinfo=timezone.utc), datetime(2024, 5, 2, tzinfo=timezone.utc)):
    lines = []
    for n, user in enumerate(rng.sample(users, 60)):
        start = day + timedelta(seconds=rng.randrange(0, 86000 - 3600))
        session = f"s-{day:%m%d}-{user['id']}"
        viewed = rng.sample(products, rng.randint(1, 6))
        t = start
        shape = n % 3
        store = stores[n % len(stores)]
        ref = rng.choice(referrers)
        for i, p in enumerate(viewed):
            t += timedelta(seconds=rng.randint(5, 300))
            if shape == 0:
                e = {"event_id": f"{session}-v{i}", "event_type": "product_view", "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     "session_id": session, "user_id": user["id"], "product_id": p["id"], "ip": user["ip"],
                     "user_agent": user["userAgent"], "referrer_url": ref, "current_url": url(p), "store_id": store,
                     "location": f"{user['address']['city']}, {user['address']['country']}"}
            elif shape == 1:
                e = {"_id": f"{session}-w{i}", "collection": "view_product_detail", "time_stamp": int(t.timestamp()),
                     "device_id": f"device-{user['id']}", "user_id_db": str(user["id"]), "product_id": p["id"],
                     "ip": user["ip"], "user_agent": user["userAgent"], "referrer_url": ref, "current_url": url(p),
                     "store_id": store, "resolution": "1920x1080", "email_address": user["email"]}
            else:
                e = {"product_id": str(p["id"]), "device_id": f"device-{user['id']}", "store_id": store,
                     "referrer_url": ref, "remote_ip": user["ip"], "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
            lines.append(e)
            if shape == 0 and rng.random() < 0.3:
                t += timedelta(seconds=rng.randint(5, 60))
                lines.append({"event_id": f"{session}-c{i}", "event_type": "add_to_cart", "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                              "session_id": session, "product_id": p["id"], "quantity": 1, "price": p["price"],
                              "user_agent": user["userAgent"], "ip": user["ip"]})
                if rng.random() < 0.5:
                    t += timedelta(seconds=rng.randint(30, 600))
                    lines.append({"event_id": f"{session}-p{i}", "event_type": "purchase", "timestamp": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                  "session_id": session, "product_id": p["id"], "price": p["price"], "ip": user["ip"]})
        if rng.random() < 0.1:
            lines.append(lines[-1])  # a duplicate, as trackers resend
    lines.append({"event_type": "product_view", "timestamp": "yesterday", "product_id": 1})  # rejected: no id, bad time
    with open(os.path.join(out_dir, f"clicks-{day:%Y-%m-%d}.ndjson"), "w") as f:
        for e in lines:
            f.write(json.dumps(e, ensure_ascii=False) + "\n")
