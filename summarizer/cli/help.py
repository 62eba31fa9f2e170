"""Help text as written: plain, without `<bool>`/`<str>` type noise, and nothing in it eaten.

typer 0.29 draws help as Rich panels by default (`rich_markup_mode="rich"`): it reads every help
string as Rich markup, so `(fields: [quotes] / [contested_claims])` printed `(fields:  / )`, and it
prints a type in angle brackets beside every parameter, flags included (`--pretty <bool>`,
`--help <bool>`). The root group fixes the whole command tree once, when typer builds it, so a
command added later is covered too: plain help (markup mode None: text printed as it is written,
flags without a type, no Rich import for `--help`), a value option shows its metavar (`ID[@V]`,
`FILE`) or click's plain type name (`TEXT`, `PATH`, `INTEGER`), an argument its metavar or name.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

_TYPE_NAMES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "bool": "BOOLEAN"}


class _NamedArgument(TyperArgument):
    """An argument whose metavar says what it is (`FILE|-`): no `<type>` printed beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        """`FILE|-` as click writes a required argument, not typer 0.29's `{FILE|-}`."""
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name if self.nargs == 1 else f"{name}..."


def tidy(command: TyperCommand | TyperGroup) -> None:
    """Plain help for `command` and every command under it (see the module docstring)."""
    command.rich_markup_mode = None
    for param in command.params:
        if isinstance(param, TyperOption) and not (param.is_flag or param.count) and param.metavar is None:
            param.metavar = _metavar(param)
        elif isinstance(param, TyperArgument):
            param.metavar = param.metavar or (param.name or "value").upper()
            param.__class__ = _NamedArgument  # the same object, minus the type column: nothing else differs
    for sub in getattr(command, "commands", {}).values():
        tidy(sub)


def _metavar(option: TyperOption) -> str | None:
    """click's plain type name for an option without a metavar; None keeps typer's list of choices."""
    described = option.type_descriptor
    if described.is_choice:
        return None
    if described.is_path:
        return "PATH"
    name = option.bare_type()
    return _TYPE_NAMES.get(name, name.upper())


class TidyGroup(TyperGroup):
    """The root command group: tidies the help of the whole tree typer hands it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tidy(self)
