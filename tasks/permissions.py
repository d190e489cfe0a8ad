"""Who may change a step's time: the deadline policy.

The person who answers for a delay decides it, not the person late: the assignee's supervisor,
or whoever holds ``tasks.extend_deadline`` (a director, the director-general). Someone acting
for one of them (a delegation in force) may extend the deadlines of that person's own steps —
the tasks they hold, or that wait in a queue for a right they hold — and no one else's.
"""

from django.db.models import Q

from organisations.policies import Policy
from tasks.models import TaskDeadline

EXTEND_DEADLINE = "tasks.extend_deadline"


class DeadlinePolicy(Policy):
    model = TaskDeadline
    actions = ("extend",)
    delegable = frozenset({"extend"})

    def lends(self, user, principal, action, deadline):
        task = deadline.task
        if task.owner_id is not None:
            return task.owner_id == principal.pk
        return bool(task.owner_permission) and task.owner_permission in self.rights(principal)

    def lent_objects(self, user, principal, action):
        return Q(task__owner=principal) | Q(
            task__owner__isnull=True, task__owner_permission__in=self.rights(principal)
        )

    def may_extend(self, person, deadline):
        if EXTEND_DEADLINE in self.rights(person):
            return True
        assignee = deadline.assignee
        return assignee is not None and assignee.supervisor_id == person.pk

    def extend_objects(self, person):
        if EXTEND_DEADLINE in self.rights(person):
            return TaskDeadline.objects.all()
        return TaskDeadline.objects.filter(assignee__supervisor=person)


deadline_policy = DeadlinePolicy()
