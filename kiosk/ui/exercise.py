"""Today's programme one exercise at a time, then how it felt.

Each exercise shows its name, steps and dose, a large repetition counter and, for holds and timed
exercises, a large countdown. Reaching the repetitions (or the end of the time) completes a set;
the last set moves on to the next exercise. Where the force plate can count (sit to stand) the
station's count drives the counter. Stop is always visible: it ends the session and asks how it
felt, keeping what was done. A break is always available too: it pauses the timer and the plate's
counting until the resident continues (or stops from the break).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Digits, Static

from kiosk.desk import Visit
from kiosk.station.service import StationView
from kiosk.ui.base import KioskScreen
from programs.catalogue import catalogue
from programs.documents import dose_text
from programs.prescription import PrescribedExercise
from records.assessments import ExerciseDone

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp

RPE = {"easy": 11, "somewhat_hard": 13, "hard": 15, "very_hard": 17}  # Borg 6–20 anchors


class ExerciseScreen(KioskScreen):
    """One exercise at a time with a counter and a timer; stop is always visible."""

    def __init__(
        self, visit: Visit, started_at: datetime, readings: dict[str, float | None]
    ) -> None:
        super().__init__()
        self.visit, self.started_at, self.readings = visit, started_at, readings
        self.items: tuple[PrescribedExercise, ...] = visit.prescription.exercises
        self.index = 0
        self.sets_done = self.reps = self.total_reps = 0
        self.done: list[ExerciseDone] = []
        self.remaining_s = 0.0
        self.timer: Timer | None = None
        self.plate_base: int | None = None  # the plate's count when this exercise began
        self.plate_counted = 0  # stands of this set already counted from the plate
        self.completing = False  # the set's last repetition is in; moving on

    @property
    def item(self) -> PrescribedExercise:
        """The exercise being done."""
        return self.items[self.index]

    def compose(self) -> ComposeResult:
        with Horizontal(id="top-bar"):
            yield self.button("kiosk.stop", "stop", variant="error")
            yield self.button("kiosk.exercise.break", "break", variant="warning")
        if not self.items:
            yield Static(self.t("kiosk.exercise.all_done"), classes="title")
            yield self.button("kiosk.next", "finish", variant="success", big=True)
            return
        exercise = catalogue().exercises[self.item.exercise]
        lang = self.kiosk.language
        section = self.t(f"programs.section.{self.item.section}")
        yield Static(self.t("kiosk.exercise.progress", number=self.index + 1,
                            total=len(self.items), section=section))  # fmt: skip
        yield Static(exercise.name.get(lang), classes="title", id="name")
        steps = [f"{n}. {step.get(lang)}" for n, step in enumerate(exercise.steps, 1)]
        yield Static("\n".join(steps), classes="message")
        yield Static(dose_text(self.item.dose, lang), id="dose")
        yield Static(self.t("kiosk.exercise.set", done=self.sets_done, sets=self.item.dose.sets),
                     id="sets")  # fmt: skip
        with Horizontal(classes="row"):
            yield Digits(str(self.reps), id="reps")
            if self.timed:
                yield Digits(self._clock(), id="clock")
        if self.counted_by_plate:
            yield Static(self.t("kiosk.exercise.counted_by_plate"), classes="message")
        with Horizontal(classes="row bar"):
            if self.timed:
                yield self.button("kiosk.exercise.start_timer", "timer", variant="primary")
            else:
                yield self.button("kiosk.exercise.count", "count", variant="primary")
            yield self.button("kiosk.exercise.set_done", "set", variant="success")
            yield self.button("kiosk.exercise.skip", "skip")

    @property
    def timed(self) -> bool:
        """Whether the exercise is a hold or a timed one."""
        return self.item.dose.hold_s is not None or self.item.dose.duration_s is not None

    @property
    def counted_by_plate(self) -> bool:
        """Whether the station's force plate counts this exercise's repetitions."""
        exercise = catalogue().exercises[self.item.exercise]
        devices = {d.role for d in self.kiosk.station_view.devices if d.state == "streaming"}
        return exercise.device == "force_plate_sit_to_stand" and "plate" in devices

    def _clock(self) -> str:
        seconds = self.remaining_s or (self.item.dose.duration_s or self.item.dose.hold_s or 0)
        return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"

    def on_mount(self) -> None:
        self._start_counting()

    def _start_counting(self) -> None:
        self.plate_base, self.plate_counted = None, 0
        station = self.kiosk.station
        if station is None:
            return
        if self.index < len(self.items) and self.counted_by_plate:
            station.start_counter()
        else:
            station.stop_counter()

    def show_station(self, view: StationView) -> None:
        """Take the force plate's stand count as the repetition count."""
        if not self.items or not self.counted_by_plate or view.counter is None:
            return
        if self.plate_base is None:
            self.plate_base = view.counter
        while not self.completing and view.counter - self.plate_base > self.plate_counted:
            self.plate_counted += 1
            self._count()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        match event.button.id:
            case "stop" | "finish":
                await self._finish()
            case "break":
                self._take_break()
            case "count":
                self._count()
            case "timer":
                self._toggle_timer(event.button)
            case "set":
                await self._set_done()
            case "skip":
                await self._next(completed=False)

    def _count(self) -> None:
        if self.completing:  # the set is complete; nothing more counts until the next one
            return
        self.reps += 1
        self.total_reps += 1
        self.query_one("#reps", Digits).update(str(self.reps))
        target = self.item.dose.reps
        if target is not None and self.item.dose.hold_s is None and self.reps >= target:
            self.completing = True
            self.call_later(self._set_done)

    def _toggle_timer(self, button: Button) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
            button.label = self.t("kiosk.exercise.resume")
            return
        if not self.remaining_s:
            self.remaining_s = float(self.item.dose.duration_s or self.item.dose.hold_s or 0)
        self.timer = self.set_interval(1.0, self._tick)
        button.label = self.t("kiosk.exercise.pause")

    def _take_break(self) -> None:
        """Pause the timer and the plate's counting; continue or stop from the break screen."""
        running = self.timer is not None
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if self.kiosk.station is not None:
            self.kiosk.station.stop_counter()

        async def after(resume: bool | None) -> None:  # noqa: FBT001 - a dismiss callback
            if not resume:
                await self._finish()
                return
            self._start_counting()
            if running:
                self.timer = self.set_interval(1.0, self._tick)

        self.app.push_screen(BreakScreen(), after)

    async def _tick(self) -> None:
        self.remaining_s = max(0.0, self.remaining_s - 1)
        self.query_one("#clock", Digits).update(self._clock())
        if self.remaining_s > 0:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.app.bell()
        if self.item.dose.hold_s is not None:  # one hold is one repetition
            self._count()
            target = self.item.dose.reps or 1
            if self.reps >= target:
                await self._set_done()
            else:
                await self.recompose()
        else:
            await self._set_done()

    async def _set_done(self) -> None:
        self.sets_done += 1
        self.reps = 0
        self.remaining_s = 0.0
        self.completing = False
        self.plate_base, self.plate_counted = None, 0  # stands during the change do not count
        if self.sets_done >= self.item.dose.sets:
            await self._next(completed=True)
        else:
            await self.recompose()

    async def _next(self, *, completed: bool) -> None:
        self._record(completed=completed)
        self.index += 1
        self.sets_done = self.reps = self.total_reps = 0
        if self.index >= len(self.items):
            await self._finish()
            return
        await self.recompose()
        self._start_counting()

    def _record(self, *, completed: bool) -> None:
        item = self.item
        self.done.append(ExerciseDone(
            exercise=item.exercise, level=item.level, sets_done=self.sets_done,
            repetitions_done=self.total_reps, hold_s=item.dose.hold_s, completed=completed,
        ))  # fmt: skip

    async def _finish(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        while self.index < len(self.items):  # stopped early: the rest is recorded as not done
            self._record(completed=False)
            self.index += 1
            self.sets_done = self.total_reps = 0
        if self.kiosk.station is not None:
            self.kiosk.station.stop_counter()
        self.app.switch_screen(FeelingScreen(self.visit, self.started_at, self.readings, self.done))


class BreakScreen(ModalScreen[bool]):
    """A break in the session: continue (True) or stop (False), in large friendly words."""

    def compose(self) -> ComposeResult:
        kiosk = cast("KioskApp", self.app)
        with Vertical(id="break"):
            yield Static(kiosk.t("kiosk.exercise.on_break"), classes="title")
            yield Button(kiosk.t("kiosk.exercise.continue"), id="continue", variant="success",
                         classes="big")  # fmt: skip
            yield Button(kiosk.t("kiosk.stop"), id="end", variant="error", classes="big")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "continue")


class FeelingScreen(KioskScreen):
    """How did it feel (effort and pain), then save and show progress."""

    def __init__(
        self,
        visit: Visit,
        started_at: datetime,
        readings: dict[str, float | None],
        done: list[ExerciseDone],
    ) -> None:
        super().__init__()
        self.visit, self.started_at, self.readings, self.done = visit, started_at, readings, done
        self.rpe: int | None = None
        self.pain: bool | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.t("kiosk.feeling.title"), classes="title")
        with Horizontal(classes="row"):
            for name, value in RPE.items():
                yield Button(self.t(f"kiosk.feeling.{name}"), id=f"rpe-{name}",
                             variant="primary" if self.rpe == value else "default")  # fmt: skip
        yield Static(self.t("kiosk.feeling.pain"), classes="message")
        with Horizontal(classes="row"):
            yield Button(self.t("kiosk.feeling.pain_no"), id="pain-no",
                         variant="primary" if self.pain is False else "default")  # fmt: skip
            yield Button(self.t("kiosk.feeling.pain_yes"), id="pain-yes",
                         variant="warning" if self.pain else "default")  # fmt: skip
        yield self.button("kiosk.feeling.save", "save", variant="success", big=True)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        if name.startswith("rpe-"):
            self.rpe = RPE[name.removeprefix("rpe-")]
        elif name.startswith("pain-"):
            self.pain = name == "pain-yes"
        elif name == "save":
            self.kiosk.desk.save_visit(
                self.visit, started_at=self.started_at, done=self.done, rpe=self.rpe,
                pain=bool(self.pain), readings=self.readings,
            )  # fmt: skip
            self.notify(self.t("kiosk.feeling.saved"))
            from kiosk.ui.resident import ProgressScreen  # noqa: PLC0415 - resident imports this

            self.app.switch_screen(ProgressScreen(self.visit.resident))
            return
        await self.recompose()
