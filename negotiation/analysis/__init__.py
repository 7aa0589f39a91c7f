"""Analysis of the deal space: ZOPA, Pareto frontier, Nash solution, what-if."""
