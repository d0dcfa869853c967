"""The Enquête DCS: the survey of the DCS teachers (``survey``: the teacher's six steps,
``papers``: the competences the chosen papers declare, ``answers``: the managers' side)."""
