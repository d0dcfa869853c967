"""Competence screens: the teacher's consultation and entry (``agent``), the head's
screen over the staff of their establishments and the manager's over the académie
(``staff``), both built from the same pages (``pages``). Thin: every scope and rule is
in app.services.competences.rules."""
