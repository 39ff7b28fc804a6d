"""What ``deploy`` did or would do, as data and as text a person reads."""

from __future__ import annotations

import msgspec


class Change(msgspec.Struct, frozen=True):
    """One change: ``text`` in the imperative ("create GSI GSI3 ..."); ``done`` is false when
    it was only planned (dry run)."""

    text: str
    done: bool


class Difference(msgspec.Struct, frozen=True):
    """Something the table has otherwise than the design says, which deploy leaves as it is."""

    subject: str
    design: str
    table: str

    def __str__(self) -> str:
        return f"{self.subject}: the design says {self.design}; the table has {self.table}"


class DeployReport(msgspec.Struct, kw_only=True):
    """The outcome of :func:`~modelkit.dynamo.deploy` for one table.

    ``warnings`` are what the endpoint does not implement (TTL or streams on an emulator):
    reported, but not differences, since nothing else can be done on that endpoint.
    """

    table: str
    endpoint: str
    dry_run: bool = False
    changes: list[Change] = msgspec.field(default_factory=list)
    differences: list[Difference] = msgspec.field(default_factory=list)
    warnings: list[str] = msgspec.field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The table matches the design (or will, once the planned changes are made)."""
        return not self.differences

    @property
    def up_to_date(self) -> bool:
        """Nothing to change and nothing that differs."""
        return not self.changes and not self.differences

    def render(self) -> str:
        mode = " (dry run: nothing is changed)" if self.dry_run else ""
        lines = [f"table {self.table} on {self.endpoint}{mode}"]
        lines += [f"  {'done' if c.done else 'planned':<9} {c.text}" for c in self.changes]
        lines += [f"  {'differs':<9} {d}" for d in self.differences]
        lines += [f"  {'warning':<9} {w}" for w in self.warnings]
        lines.append(self._summary())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()

    def _summary(self) -> str:
        if self.up_to_date:
            return "nothing to do: the table matches the design"
        parts = []
        if self.changes:
            verb = "planned" if self.dry_run else "made"
            parts.append(f"{len(self.changes)} change(s) {verb}")
        if self.differences:
            parts.append(
                f"{len(self.differences)} difference(s) deploy does not fix: change the design "
                "to match the table, or migrate the data to a new table (deploy never deletes "
                "a table, an index or data)"
            )
        return "; ".join(parts)
