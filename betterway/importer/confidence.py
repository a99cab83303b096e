"""How sure the importer is of what it read: "high", "medium" or "low", each with a short reason,
so that a convenor knows what to check before publishing (the --json report and the summaries)."""

from dataclasses import dataclass

HIGH, MEDIUM, LOW = "high", "medium", "low"
ORDER = {HIGH: 2, MEDIUM: 1, LOW: 0}


@dataclass
class Sure:
    """How sure, and why: Sure(HIGH, "the title names cell 3")."""

    level: str
    reason: str

    def as_json(self):
        return {"confidence": self.level, "reason": self.reason}


def lowest(levels):
    """The least sure of `levels` ("high" when there are none)."""
    return min(levels, key=ORDER.__getitem__, default=HIGH)
