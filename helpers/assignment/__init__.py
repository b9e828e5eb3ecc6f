"""The assignment edition: build the student, solution and autograder editions, check answers, grade offline.

Build with ``python -m helpers.assignment build`` (``make assignment``); grade a folder of submissions with
``python -m helpers.assignment grade`` (``make grade``). The notebooks in notebooks/ are the single source: their
exercises carry otter-grader's markers, and the package functions that answer an exercise carry @exercise.
"""

__all__: list[str] = []  # import from its modules; each lists in __all__ what it exports
