"""The bare viewflow flow of ``../shared/VIEWFLOW-NOTES.md``, for a baseline on this machine.

Start → internal review → split to three ministries → join → if → sign-off → a background
step → end: viewflow's own process model, no history, comments, versions, audit or
deadlines. ``bench_process.py`` runs it beside our journey, through the same database and
timer, so that the two figures compare like with like. Used by the benchmark only.
"""

import sys

from django.http import HttpResponse
from viewflow import this
from viewflow.workflow import flow, lock

# The people who hold each step, set by the benchmark before the first run: the nodes give
# their tasks straight to them, as the bare flow in the notes did.
PEOPLE: dict[str, object] = {}


def _unused_view(request, **kwargs):  # a task page is required by a View node, never shown
    return HttpResponse()


def _person(name):
    return lambda activation: PEOPLE[name]


# Viewflow stores a flow as "<app label>/<module path>", so a flow must live inside an
# installed app: the benchmark lends this module a name in the workflows package (in memory,
# no file added there). Nothing outside the benchmark imports it.
ALIAS = "workflows.bench_bare_flow"
sys.modules.setdefault(ALIAS, sys.modules[__name__])


class BareFlow(flow.Flow):
    __module__ = ALIAS
    lock_impl = lock.SelectForUpdateLock(nowait=False, attempts=1)

    start = flow.StartHandle().Next(this.review)
    review = flow.View(_unused_view).Assign(_person("chief")).Next(this.split)
    split = flow.Split().Next(this.ministry_a).Next(this.ministry_b).Next(this.ministry_c)
    ministry_a = flow.View(_unused_view).Assign(_person("mef")).Next(this.join)
    ministry_b = flow.View(_unused_view).Assign(_person("moh")).Next(this.join)
    ministry_c = flow.View(_unused_view).Assign(_person("ncdd")).Next(this.join)
    join = flow.Join().Next(this.check)
    check = flow.If(lambda activation: True).Then(this.sign_off).Else(this.end)
    sign_off = flow.View(_unused_view).Assign(_person("dg")).Next(this.archive)
    archive = flow.Function(lambda activation: None).Next(this.end)
    end = flow.End()
