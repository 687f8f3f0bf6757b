"""``genki demo``: everything on one machine, started together and stopped together.

- an embedded pure-Python MQTT broker (amqtt, MQTT 3.1.1, loopback only; production uses
  Mosquitto, see docs/facility-broker.md);
- a simulated force plate behind a pseudo-terminal, read by the real serial driver, doing
  sit-to-stands; an emulated Bluetooth grip gauge (``ble+sim://progressor``);
- a kiosk database with demo residents (some with an SPPB and a fall-risk assessment, so their
  programmes differ), the kiosk's outbox publisher and the office ingest into its own database;
- the station and the kiosk app. Quitting the app stops everything in reverse order.

Nothing here is used outside the demo; the demo's data live in one folder (a temporary one unless
``--data`` names another), printed when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.desk import Desk
from kiosk.station.measurements import Role
from kiosk.station.service import Station
from programs.batteries import score_battery
from records import Database, open_database
from records.assessments import save_assessment
from records.profiles import age_on
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner
from sync.broker import BrokerSettings
from sync.ingest import Ingest
from sync.publisher import Publisher

FACILITY, KIOSK = "demo-facility", "demo-kiosk"
DEMO_PIN = "1234"
GAUGE_URL = "ble+sim://progressor?scenario=grip-max&seed=7"
RECORD_SECONDS = {"sway_eo": 20.0, "sway_ec": 20.0}  # shorter than the clinic's, for a demo


def _resident(  # noqa: PLR0917 - a compact table of demo residents
    code: str, names: tuple[str, str, str, str], sex: Sex, born: date, care: CareLevel
) -> ResidentFields:
    family, given, family_kana, given_kana = names
    return ResidentFields(code=code, family_name=family, given_name=given,
                          family_kana=family_kana, given_kana=given_kana, sex=sex,
                          birth_date=born, care_level=care)  # fmt: skip


RESIDENTS = (
    _resident("D001", ("青木", "和子", "アオキ", "カズコ"), Sex.FEMALE, date(1944, 3, 12),
              CareLevel.SUPPORT_1),
    _resident("D002", ("加藤", "茂", "カトウ", "シゲル"), Sex.MALE, date(1940, 8, 30),
              CareLevel.SUPPORT_2),
    _resident("D003", ("佐々木", "花江", "ササキ", "ハナエ"), Sex.FEMALE, date(1938, 1, 5),
              CareLevel.CARE_1),
    _resident("D004", ("田中", "一郎", "タナカ", "イチロウ"), Sex.MALE, date(1946, 11, 2),
              CareLevel.JIGYO_TAISHOSHA),
    _resident("D005", ("山本", "幸子", "ヤマモト", "サチコ"), Sex.FEMALE, date(1935, 6, 21),
              CareLevel.CARE_2),
)  # fmt: skip
ASSESSMENTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "D001": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 10,
                       "gait_4m_s": [4.2], "chair_stand_single_ok": True,
                       "chair_stand_5x_s": 10.8}),
             ("fall_risk", {"tug_s": 8.5, "one_leg_stance_s": 25.0})],
    "D002": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 4.0,
                       "gait_4m_s": [5.2], "chair_stand_single_ok": True,
                       "chair_stand_5x_s": 14.5}),
             ("fall_risk", {"tug_s": 14.2, "one_leg_stance_s": 3.5})],
    "D003": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 4.0, "gait_4m_s": [7.5],
                       "chair_stand_single_ok": True, "chair_stand_5x_s": 18.0})],
}  # fmt: skip


def free_port() -> int:
    """Return a TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedBroker:
    """An amqtt broker on its own thread and loop, listening on loopback only."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="demo-broker",
                                        daemon=True)  # fmt: skip
        self._broker: Any = None

    @property
    def settings(self) -> BrokerSettings:
        """How the demo's kiosk and office reach the broker."""
        return BrokerSettings(host="127.0.0.1", port=self.port, protocol="3.1.1", keepalive_s=10)

    def start(self) -> None:
        """Start listening; returns once the broker accepts connections."""
        from amqtt.broker import Broker  # noqa: PLC0415 - only the demo needs amqtt

        logging.getLogger("amqtt").setLevel(logging.ERROR)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin":
                        {"allow_anonymous": True}},
        }  # fmt: skip
        self._thread.start()

        async def make_and_start() -> None:
            self._broker = Broker(config, loop=self._loop)
            await self._broker.start()

        asyncio.run_coroutine_threadsafe(make_and_start(), self._loop).result(timeout=30)

    def stop(self) -> None:
        """Stop the broker and its thread (a hung shutdown is abandoned after 5 s)."""
        if self._broker is not None:
            future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
            with contextlib.suppress(Exception):
                future.result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def seed(database: Database) -> None:
    """Add the demo residents and their assessments (once; a second call changes nothing)."""
    residents = ResidentRepository(database, FACILITY)
    if residents.list():
        return
    assessed = datetime.now(UTC) - timedelta(days=60)
    for fields in RESIDENTS:
        uuid = residents.add(fields, actor="demo").uuid
        age = age_on(fields.birth_date, date.today())  # noqa: DTZ011 - the local date
        sex = "F" if fields.sex is Sex.FEMALE else "M"
        with database.transaction() as session:
            for battery, results in ASSESSMENTS.get(fields.code, []):
                document = {"battery": battery, "resident": {"sex": sex, "age_years": age},
                            "results": results}  # fmt: skip
                summary = score_battery(document).as_json()
                save_assessment(session, resident_uuid=uuid, battery=battery, summary=summary,
                                performed_at=assessed, staff="demo")  # fmt: skip


@dataclass
class Demo:
    """The running demo's parts."""

    folder: Path
    kiosk_database: Database
    office_database: Database
    broker: EmbeddedBroker
    plate: PtyRunner
    publisher: Publisher
    ingest: Ingest
    station: Station
    desk: Desk


@contextlib.contextmanager
def running_demo(folder: Path) -> Iterator[Demo]:
    """Start every part of the demo in ``folder``; stop them all when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        kiosk_db = open_database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
        stack.callback(kiosk_db.close)
        office_db = open_database(f"sqlite:///{folder / 'office.sqlite3'}")
        stack.callback(office_db.close)
        seed(kiosk_db)
        broker = EmbeddedBroker(free_port())
        broker.start()
        stack.callback(broker.stop)
        ingest = Ingest(office_db, broker.settings, client_id="demo-office")
        ingest.start()
        stack.callback(ingest.stop)
        publisher = Publisher(kiosk_db, broker.settings, FACILITY, KIOSK, resend_after_s=5.0)
        publisher.start()
        stack.callback(publisher.stop)
        person = generate("sit-to-stand", rate_hz=1000, duration_s=60, seed=7)
        plate = PtyRunner(GkfpPlate(person, PlateConfig(seed=7)), rate_hz=1000)
        plate.start()
        stack.callback(plate.stop)
        devices: dict[Role, str] = {
            "plate": f"serial://{plate.path}?protocol=gkfp", "gauge": GAUGE_URL,
        }  # fmt: skip
        station = stack.enter_context(
            Station(kiosk_db, facility_id=FACILITY, kiosk_id=KIOSK, devices=devices,
                    record_seconds=RECORD_SECONDS)
        )  # fmt: skip
        desk = Desk(kiosk_db, facility_id=FACILITY, kiosk_id=KIOSK)
        yield Demo(folder, kiosk_db, office_db, broker, plate, publisher, ingest, station, desk)
