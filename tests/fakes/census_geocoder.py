"""A local stand-in for the US Census Geocoder's batch service, speaking its wire format.

``POST /geocoder/locations/addressbatch`` with a multipart form: ``benchmark``, ``vintage``
and ``addressFile`` (CSV rows ``id,street,city,state,zip``, no header). The answer is CSV, one
row per address, as the real service writes it:

    "1","11 W DIVISION ST, CHICAGO, IL, 60610","Match","Exact","11 W DIVISION ST, CHICAGO, IL, 60610","-87.6301,41.9035","1234","L"
    "2","99 NOWHERE RD, CHICAGO, IL, 60610","No_Match"
    "3","1 MAIN ST, SPRINGFIELD, IL, 62701","Tie"

Which answer each street gets is the test's choice (``answers``: street → (lon, lat) or
"No_Match" / "Tie"); everything received is kept in ``requests`` for the test to read.
"""

from __future__ import annotations

import csv
import io
import threading
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeCensusGeocoder:
    def __init__(self, answers: dict[str, object]):
        self.answers = {key.upper(): value for key, value in answers.items()}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else self._read_chunked()
                message = BytesParser(policy=HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
                )
                form = {}
                for part in message.iter_parts():
                    form[part.get_param("name", header="content-disposition")] = part.get_content()
                if not self.path.endswith("/locations/addressbatch") or "addressFile" not in form:
                    self.send_response(400)
                    self.end_headers()
                    return
                text = form["addressFile"]
                text = text.decode() if isinstance(text, bytes) else text
                rows = list(csv.reader(io.StringIO(text)))
                fake.requests.append({"path": self.path, "form": form, "rows": rows})
                out = io.StringIO()
                writer = csv.writer(out, quoting=csv.QUOTE_ALL)
                for row_id, street, city, state, zip5 in rows:
                    address = f"{street}, {city}, {state}, {zip5}"
                    answer = fake.answers.get(street.upper(), "No_Match")
                    if isinstance(answer, tuple):
                        lon, lat = answer
                        writer.writerow(
                            [
                                row_id,
                                address,
                                "Match",
                                "Exact",
                                address.upper(),
                                f"{lon},{lat}",
                                "1234",
                                "L",
                            ]
                        )
                    else:
                        writer.writerow([row_id, address, answer])
                data = out.getvalue().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _read_chunked(self) -> bytes:
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/geocoder"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeCensusGeocoder:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
