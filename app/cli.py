"""The ``deepprep`` command line: serve, check, import, explain."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.config import Settings

if TYPE_CHECKING:
    from app.bank.export_yaml import BankTopic

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
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
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
    explain.add_argument("params", nargs="*", metavar="KEY=VALUE", help="values are YAML: 3, [3,5], same")
    explain.add_argument("--json", action="store_true", help="print JSON instead of text")
    explain.add_argument("--lang", choices=["en", "zh"], default="en")
    explain.set_defaults(handler=_explain)
    admin = sub.add_parser("create-admin", help="make EMAIL an admin (creates the account if needed)")
    admin.add_argument("email")
    admin.set_defaults(handler=_create_admin)
    _add_export_commands(sub)
    return parser


def _add_export_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser("export", help="write the bank in the database as YAML, one file per topic")
    export.add_argument("directory", type=Path)
    export.add_argument("--force", action="store_true", help="replace a non-empty directory")
    export.set_defaults(handler=_export)
    anki = sub.add_parser("export-anki", help="write an Anki deck (.apkg), one subdeck per topic")
    anki.add_argument("out", type=Path, metavar="OUT.apkg")
    anki.add_argument("--topic", metavar="SLUG", help="only this topic")
    anki.set_defaults(handler=_export_anki)
    moodle = sub.add_parser("export-moodle", help="write choice and numeric items as Moodle XML")
    moodle.add_argument("out", type=Path, metavar="OUT.xml")
    moodle.add_argument("--lang", choices=["en", "zh"], default="en")
    moodle.add_argument("--topic", metavar="SLUG", help="only this topic")
    moodle.set_defaults(handler=_export_moodle)


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
    settings.resolved_secret_key()  # made once here, before uvicorn spawns workers that all need it
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


def _create_admin(args: argparse.Namespace, settings: Settings) -> int:
    from app.admin.accounts import AdminRefused, create_admin

    try:
        print(create_admin(settings, email=args.email))
    except AdminRefused as exc:
        print(f"create-admin refused: {exc}", file=sys.stderr)
        return 1
    return 0


def _explain(args: argparse.Namespace, settings: Settings) -> int:
    from app.explain.cli import run

    return run(args.name, args.params, as_json=args.json, lang=args.lang)


def _stored_bank(settings: Settings, topic: str | None) -> list[BankTopic] | None:
    """The bank as the database holds it (admin edits included); None after saying why not."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.bank.service import export_topics
    from app.core.db import Database

    db = Database(settings.database_url)
    try:
        with db.session() as session:
            topics = export_topics(session, topic=topic)
    except SQLAlchemyError as exc:
        problem = f"cannot read the database ({exc.__class__.__name__})"
        topics = []
    else:
        problem = f"topic {topic!r} has no active questions" if topic else "the database has no questions"
    finally:
        db.dispose()
    if not topics:
        print(f"nothing to export: {problem} (run deepprep import first?)", file=sys.stderr)
        return None
    return topics


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from app.bank.export_yaml import bank_files, write_directory

    topics = _stored_bank(settings, None)
    if topics is None:
        return 1
    files = bank_files(topics, source_dir=settings.questions_dir)
    try:
        write_directory(args.directory, files, force=args.force)
    except (FileExistsError, NotADirectoryError) as exc:
        print(exc, file=sys.stderr)
        return 1
    items = sum(len(t.items) for t in topics)
    print(f"exported {len(topics)} topics, {items} items to {args.directory}")
    return 0


def _export_anki(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from app.bank.export_anki import write_apkg

    topics = _stored_bank(settings, args.topic)
    if topics is None:
        return 1
    notes = write_apkg(topics, args.out, timestamp=time.time())
    print(f"wrote {notes} notes in {len(topics)} deck(s) to {args.out}")
    return 0


def _export_moodle(args: argparse.Namespace, settings: Settings) -> int:
    from app.bank.export_moodle import moodle_xml, write_xml

    topics = _stored_bank(settings, args.topic)
    if topics is None:
        return 1
    result = moodle_xml(topics, lang=args.lang)
    write_xml(result, args.out)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(result.counts.items()))
    print(f"wrote {counts} question(s) to {args.out}; skipped {len(result.skipped)} open/computed items")
    return 0


if __name__ == "__main__":
    sys.exit(main())
