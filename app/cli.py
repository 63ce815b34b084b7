"""The ``deepprep`` command line: serve, check, import, explain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from app.core.config import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``deepprep`` console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    handler: Command = args.handler
    return handler(args, settings)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deepprep", description=__doc__)
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="migrate, import the bank and run the web app")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument(
        "--reload", action="store_true", help="restart on code changes (development)"
    )
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(handler=_serve)
    check = sub.add_parser("check", help="validate a question bank directory")
    check.add_argument("directory", nargs="?", type=Path, help="default: the configured bank")
    check.set_defaults(handler=_check)
    imp = sub.add_parser("import", help="sync the question bank into the database")
    imp.add_argument("directory", nargs="?", type=Path, help="default: the configured bank")
    imp.set_defaults(handler=_import)
    backup = sub.add_parser("backup", help="copy the SQLite database to PATH while the app runs")
    backup.add_argument("path", type=Path)
    backup.set_defaults(handler=_backup)
    restore = sub.add_parser("restore", help="replace the SQLite database with a backup made by `backup`")
    restore.add_argument("path", type=Path)
    restore.set_defaults(handler=_restore)
    revision = sub.add_parser("makemigration", help="(developers) autogenerate a migration")
    revision.add_argument("message")
    revision.add_argument("--rev-id", required=True, help="e.g. 0002")
    revision.set_defaults(handler=_makemigration)
    explain = sub.add_parser(
        "explain", help="print a worked answer, e.g. explain conv_output_size input=224 kernel=7"
    )
    explain.add_argument("name", nargs="?", help="calculator name (omit to list them)")
    explain.add_argument(
        "params", nargs="*", metavar="KEY=VALUE", help="values are YAML: 3, [3,5], same"
    )
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    explain.add_argument("--lang", choices=["en", "zh"], default="en")
    explain.set_defaults(handler=_explain)
    return parser


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from app.bank.loader import BankInvalid
    from app.bank.source import load

    directory: Path = args.directory or settings.questions_dir
    try:
        bank = load(directory)
    except BankInvalid as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(f"{len(exc.issues)} problem(s) found in {directory}", file=sys.stderr)
        return 1
    print(f"{directory}: OK — {len(bank.topics)} topics, {len(bank.items)} items")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from app.bank.loader import BankInvalid
    from app.bootstrap import import_bank

    if args.directory:
        settings = settings.model_copy(update={"questions_dir": args.directory})
    try:
        report = import_bank(settings)
    except BankInvalid as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print("import refused: the database was not changed", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.bank.loader import BankInvalid
    from app.bootstrap import import_bank

    host = args.host or settings.host
    port = args.port or settings.port
    try:
        print(import_bank(settings).summary())
    except BankInvalid as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print("refusing to start: fix the question bank first", file=sys.stderr)
        return 1
    print(f"deepprep is running at http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    uvicorn.run(
        "app.main:app_from_environment",
        factory=True,
        host=host,
        port=port,
        reload=args.reload,
        workers=None if args.reload else args.workers,
        log_level="warning",
    )
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from app.core.backup import BackupError, backup

    try:
        pages = backup(settings.database_url, args.path)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"backed up {pages} pages to {args.path}")
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from app.core.backup import BackupError, restore

    try:
        restore(settings.database_url, args.path)
    except BackupError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"restored {args.path} into {settings.database_url}")
    return 0


def _makemigration(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from app.core.db import Database
    from app.core.migrations import make_revision, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/schema.db")
        upgrade(db)
        make_revision(db, message=args.message, rev_id=args.rev_id)
        db.dispose()
    return 0


def _explain(args: argparse.Namespace, settings: Settings) -> int:
    from app.explain.cli import run

    return run(args.name, args.params, as_json=args.json, lang=args.lang)


if __name__ == "__main__":
    sys.exit(main())
