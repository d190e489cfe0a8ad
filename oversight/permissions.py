"""Who may see the department's portfolio: where every instrument stands, who is late, how
long each step takes, each ministry's record, and the transfer of functions.

The director, the director-general and the administrator: the role gives the right
(``workflows.view_portfolio``). It shows officials' names and every ministry's record, so no
ministry reviewer holds it, and no one acts for another here (it is not delegable).
"""

from organisations.policies import Policy
from workflows.models import ApprovalProcess

VIEW_PORTFOLIO = "workflows.view_portfolio"


class PortfolioPolicy(Policy):
    model = ApprovalProcess
    actions = ("view_portfolio",)
    without_object = frozenset({"view_portfolio"})

    def may_view_portfolio(self, person):
        return VIEW_PORTFOLIO in self.rights(person)


portfolio_policy = PortfolioPolicy()
