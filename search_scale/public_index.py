"""Search indexes kept by the database: compact full-text indexes of what a level may see.

* the public index: one row per public excerpt (its redacted `public_text`) and one per public
  testimony (title and summary);
* the research index: one row per excerpt researchers may see (again the redacted text) and
  one per transcript they may read.

Each row carries the one access condition that depends on time, the embargo date. A row
exists exactly while its record passes the index's condition (live, level): the database
keeps it so, with triggers on the excerpt and testimony tables, in the same transaction as
any change to the text, approval, level or consent columns (whether made by `save()`, a bulk
`update()` of the consent services or an import). So

* saving a record makes it searchable at once, at the cost of its own rows (no statement over
  the whole index);
* nothing above an index's level, and no word inside a redaction, is ever in it: it cannot
  match;
* searching a word in a fifth of the collection ranks a bounded set of candidates (see
  `CANDIDATES`) instead of every match.

On PostgreSQL the rows hold a `tsvector` with a GIN index; on SQLite they are FTS5 tables.
`search_scale.backend` puts the public index behind Wagtail's search backend interface.
"""

import re
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import connection as default_connection

EXCERPTS = "testimonies_excerpt"
TESTIMONIES = "testimonies_testimony"
PUBLIC, RESEARCHERS = 0, 1  # testimonies.levels.Level (literals: migrations import this module)

# At most this many matches are ranked per query (the first ones the index yields); a word in
# a fifth of two million excerpts would otherwise rank 270,000 rows for a page of 20.
CANDIDATES = 4000
# Bulk loaders set this (per session) to skip the row triggers, then rebuild at once.
BULK_SETTING = "search_scale.bulk_load"
TERM = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Spec:
    kind: str
    index: str  # the index's table
    table: str  # the records' table
    where: str  # the condition a record meets to be in the index; {r} is the row prefix
    texts: tuple  # (column, weight): the text that is searched, weight "A" counts double
    watched: tuple  # the columns whose change may change the row
    with_testimony: bool = False


_PUBLIC_EXCERPTS = Spec(
    "excerpt",
    "search_scale_public_excerpt",
    EXCERPTS,
    f"{{r}}live AND {{r}}level = {PUBLIC}",
    (("public_text", "B"),),
    ("public_text", "live", "level", "embargo_lifts_on", "testimony_id"),
    with_testimony=True,
)
SPECS = {
    spec.kind: spec
    for spec in (
        _PUBLIC_EXCERPTS,
        Spec(
            "testimony",
            "search_scale_public_testimony",
            TESTIMONIES,
            f"{{r}}level = {PUBLIC}",
            (("title", "A"), ("summary", "B")),
            ("title", "summary", "level", "embargo_lifts_on"),
        ),
        # The same redacted text as the public index, at every level up to researchers'.
        replace(
            _PUBLIC_EXCERPTS,
            kind="research_excerpt",
            index="search_scale_research_excerpt",
            where=f"{{r}}live AND {{r}}level <= {RESEARCHERS}",
        ),
        Spec(
            "research_transcript",
            "search_scale_research_transcript",
            TESTIMONIES,
            f"{{r}}level <= {RESEARCHERS} AND {{r}}transcript <> ''",
            (("transcript", "B"),),
            ("transcript", "level", "embargo_lifts_on"),
        ),
    )
}
EXCERPT_INDEX = SPECS["excerpt"].index
TESTIMONY_INDEX = SPECS["testimony"].index
TRIGGER_NAMES = [
    f"{spec.index}_{event}" for spec in SPECS.values() for event in ("insert", "update", "delete")
]


def search_config():
    backends = getattr(settings, "WAGTAILSEARCH_BACKENDS", {})
    for name in ("public", "default"):
        config = backends.get(name, {}).get("SEARCH_CONFIG")
        if config:
            break
    else:
        config = "english"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", config):
        raise ValueError(f"SEARCH_CONFIG {config!r} is not a text search configuration name")
    return config


def _run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            if isinstance(sql, tuple):
                cursor.execute(*sql)
            else:
                cursor.execute(sql)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_vector(spec, config, r):
    parts = [f"setweight(to_tsvector('{config}', {r}{col}), '{w}')" for col, w in spec.texts]
    return " || ".join(parts)


def _pg_columns(spec):
    return ["object_id", *(["testimony_id"] if spec.with_testimony else []), "embargo_lifts_on"]


def _pg_statements(spec, config):
    extra = " testimony_id integer NOT NULL," if spec.with_testimony else ""
    columns = _pg_columns(spec)
    values = ["NEW.id", *(["NEW.testimony_id"] if spec.with_testimony else [])]
    values.append("NEW.embargo_lifts_on")
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*columns[1:], "vector"])
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in spec.watched)
    index, table = spec.index, spec.table
    return [
        f"CREATE TABLE IF NOT EXISTS {index} (object_id integer PRIMARY KEY,{extra} "
        "embargo_lifts_on date, vector tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS {index}_vector ON {index} USING gin (vector)",
        f"""CREATE OR REPLACE FUNCTION {index}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('{BULK_SETTING}', true) = 'on' THEN
    RETURN NULL;
  ELSIF TG_OP = 'DELETE' THEN
    DELETE FROM {index} WHERE object_id = OLD.id;
  ELSIF {spec.where.format(r="NEW.")} THEN
    INSERT INTO {index} ({", ".join(columns)}, vector)
    VALUES ({", ".join(values)}, {_pg_vector(spec, config, "NEW.")})
    ON CONFLICT (object_id) DO UPDATE SET {updates};
  ELSE
    DELETE FROM {index} WHERE object_id = NEW.id;
  END IF;
  RETURN NULL;
END $$""",  # nosec B608
        f"CREATE OR REPLACE FUNCTION {index}_truncate() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN TRUNCATE {index}; RETURN NULL; END $$",
        *(
            f"DROP TRIGGER IF EXISTS {index}_{event} ON {table}"
            for event in ("insert", "update", "delete", "truncate")
        ),
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {index}_sync()",
        f"CREATE TRIGGER {index}_update AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN ({changed}) EXECUTE FUNCTION {index}_sync()",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {index}_sync()",
        f"CREATE TRIGGER {index}_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {index}_truncate()",
    ]


def _pg_fill(spec, config, ids=None):
    """Statements that write the rows of the given records (all of them when `ids` is None)."""
    columns = _pg_columns(spec)
    sources = ["id", *columns[1:]]
    select = (
        f"SELECT {', '.join(sources)}, {_pg_vector(spec, config, '')} FROM {spec.table} "  # nosec B608
        f"WHERE {spec.where.format(r='')}"
    )
    insert = f"INSERT INTO {spec.index} ({', '.join(columns)}, vector) {select}"
    if ids is None:
        return [f"TRUNCATE {spec.index}", insert]
    if not ids:
        return []
    ids = [int(i) for i in ids]
    return [
        (f"DELETE FROM {spec.index} WHERE object_id = ANY(%s)", [ids]),  # nosec B608
        (f"{insert} AND id = ANY(%s)", [ids]),
    ]


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_columns(spec):
    return [
        *(col for col, _ in spec.texts),
        "embargo_lifts_on",
        *(["testimony_id"] if spec.with_testimony else []),
    ]


def _sqlite_statements(spec):
    texts = ", ".join(col for col, _ in spec.texts)
    extra = ", testimony_id UNINDEXED" if spec.with_testimony else ""
    columns = _sqlite_columns(spec)
    values = ", ".join(f"NEW.{c}" for c in columns)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in spec.watched)
    insert = (
        f"INSERT INTO {spec.index} (rowid, {', '.join(columns)}) "
        f"SELECT NEW.id, {values} WHERE {spec.where.format(r='NEW.')};"
    )
    index, table = spec.index, spec.table
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {index} USING fts5({texts}, embargo_lifts_on "
        f"UNINDEXED{extra}, tokenize = 'porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {index}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {index}_update AFTER UPDATE ON {table} "
        f"WHEN {changed} BEGIN DELETE FROM {index} WHERE rowid = OLD.id; {insert} END",  # nosec B608
        f"CREATE TRIGGER IF NOT EXISTS {index}_delete AFTER DELETE ON {table} "
        f"BEGIN DELETE FROM {index} WHERE rowid = OLD.id; END",  # nosec B608
    ]


def _sqlite_fill(spec, ids=None):
    columns = ", ".join(_sqlite_columns(spec))
    insert = (
        f"INSERT INTO {spec.index} (rowid, {columns}) SELECT id, {columns} "  # nosec B608
        f"FROM {spec.table} WHERE {spec.where.format(r='')}"
    )
    if ids is None:
        return [f"DELETE FROM {spec.index}", insert]  # nosec B608
    out = []
    ids = [int(i) for i in ids]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        out.append((f"DELETE FROM {spec.index} WHERE rowid IN ({marks})", chunk))  # nosec B608
        out.append((f"{insert} AND id IN ({marks})", chunk))
    return out


# --- Installing and filling -------------------------------------------------------------------


def supported(connection=None):
    return (connection or default_connection).vendor in ("postgresql", "sqlite")


def triggers_present(connection=None):
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s)", [list(TRIGGER_NAMES)]
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return set(TRIGGER_NAMES) <= {row[0] for row in cursor.fetchall()}


def install(connection=None):
    """Create the index tables and the triggers that keep them current (idempotent).

    Returns True when triggers had to be (re)created: the indexes may then be stale (SQLite
    drops a table's triggers when a migration rebuilds the table) and should be refilled."""
    connection = connection or default_connection
    if not supported(connection):
        return False
    missing = not triggers_present(connection)
    for spec in SPECS.values():
        if connection.vendor == "postgresql":
            _run(connection, _pg_statements(spec, search_config()))
        else:
            _run(connection, _sqlite_statements(spec))
    return missing


def uninstall(connection=None, kinds=None):
    """Drop the indexes of `kinds` (all when None) with their triggers and functions."""
    connection = connection or default_connection
    if not supported(connection):
        return
    statements = []
    for spec in (SPECS[kind] for kind in (kinds or SPECS)):
        events = ("insert", "update", "delete")
        on = ""
        if connection.vendor == "postgresql":
            events += ("truncate",)
            on = f" ON {spec.table}"
        statements += [f"DROP TRIGGER IF EXISTS {spec.index}_{event}{on}" for event in events]
        statements.append(f"DROP TABLE IF EXISTS {spec.index}")
        if connection.vendor == "postgresql":
            statements += [
                f"DROP FUNCTION IF EXISTS {spec.index}_sync()",
                f"DROP FUNCTION IF EXISTS {spec.index}_truncate()",
            ]
    _run(connection, statements)


def fill(connection=None, ids=None):
    """Write the index rows of the given records from the database.

    `ids` maps a kind ("excerpt", "testimony", ...) to record ids, or to None for all of them;
    `ids=None` rebuilds every index."""
    connection = connection or default_connection
    if not supported(connection):
        return
    wanted = {kind: None for kind in SPECS} if ids is None else ids
    for kind, kind_ids in wanted.items():
        spec = SPECS[kind]
        if connection.vendor == "postgresql":
            _run(connection, _pg_fill(spec, search_config(), kind_ids))
        else:
            _run(connection, _sqlite_fill(spec, kind_ids))


def fill_records(table, ids, connection=None):
    """Refresh every index fed by `table` ("excerpt" or "testimony" records) for `ids`."""
    source = EXCERPTS if table == "excerpt" else TESTIMONIES
    fill(connection, {kind: ids for kind, spec in SPECS.items() if spec.table == source})


def rebuild(connection=None, kinds=None):
    """Rebuild the indexes of `kinds` (all when None) from the records, in one transaction."""
    from django.db import transaction

    connection = connection or default_connection
    if not supported(connection):
        return
    specs = [SPECS[kind] for kind in (kinds or SPECS)]
    with transaction.atomic(using=connection.alias):
        install(connection)
        if connection.vendor == "postgresql":
            # Building a GIN index once is far cheaper than growing it row by row.
            _run(connection, ["SET LOCAL maintenance_work_mem TO '512MB'"])
            _run(connection, [f"DROP INDEX IF EXISTS {s.index}_vector" for s in specs])
        fill(connection, {spec.kind: None for spec in specs})
        if connection.vendor == "postgresql":
            install(connection)  # the GIN indexes again
            _run(connection, [f"ANALYZE {spec.index}" for spec in specs])


def set_triggers(enabled, connection=None):
    """Bulk loaders (the synthetic corpus) switch the row triggers off for their own session
    and `rebuild()` after; other sessions keep them."""
    connection = connection or default_connection
    if connection.vendor == "postgresql":
        state = "off" if enabled else "on"
        _run(connection, [("SELECT set_config(%s, %s, false)", [BULK_SETTING, state])])
    elif connection.vendor == "sqlite":
        if enabled:
            install(connection)
        else:
            _run(connection, [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGER_NAMES])


# --- Matching ---------------------------------------------------------------------------------


def terms_of(text):
    return TERM.findall(text or "")


def _pg_query(words, phrases, prefix_words, config):
    """A tsquery expression and its parameters: all of `words` (stemmed as the index is), the
    `prefix_words` as starts of words, and each of `phrases`."""
    parts, params = [], []
    if words:
        parts.append(f"plainto_tsquery('{config}', %s)")
        params.append(" ".join(words))
    for word in prefix_words:
        # Stemmed as the index is, then matched as the start of a word (프로그램 finds
        # 프로그램을). Words are letters and digits only (TERM), so the quoting is safe.
        parts.append(f"to_tsquery('{config}', %s)")
        params.append(f"'{word}':*")
    for phrase in phrases:
        parts.append(f"phraseto_tsquery('{config}', %s)")
        params.append(" ".join(phrase))
    return " && ".join(parts), params


def _fts5_query(words, phrases, prefix_words):
    parts = [f'"{w}"' for w in words] + [f'"{w}"*' for w in prefix_words]
    parts += ['"' + " ".join(phrase) + '"' for phrase in phrases]
    return " ".join(parts)


def search(kind, *, words=(), phrases=(), prefix_words=(), on, limit, connection=None):
    """Object ids in the `kind` index matching every one of `words`, `prefix_words` (as the
    start of a word) and `phrases` (lists of words, next to each other), not embargoed on
    the date `on`, best first: at most `limit`, ranked among the first `CANDIDATES` matches.

    Every word must be a run of letters and digits (see `terms_of`)."""
    connection = connection or default_connection
    words, prefix_words = list(words), list(prefix_words)
    phrases = [list(p) for p in phrases if p]
    for word in [*words, *prefix_words, *(w for p in phrases for w in p)]:
        if not TERM.fullmatch(word):
            raise ValueError(f"not a search word: {word!r}")
    if not (words or prefix_words or phrases) or limit <= 0:
        return []
    spec = SPECS[kind]
    candidates = max(CANDIDATES, int(limit))
    if connection.vendor == "postgresql":
        query, params = _pg_query(words, phrases, prefix_words, search_config())
        sql = (
            "SELECT object_id FROM (SELECT object_id, ts_rank(vector, x.q) AS r "  # nosec B608
            f"FROM {spec.index}, (SELECT {query} AS q) AS x WHERE vector @@ x.q "
            f"AND (embargo_lifts_on IS NULL OR embargo_lifts_on <= %s) LIMIT {candidates}) c "
            f"ORDER BY r DESC, object_id LIMIT {int(limit)}"
        )
        params = [*params, on]
    elif connection.vendor == "sqlite":
        weights = ", ".join("2.0" if w == "A" else "1.0" for _, w in spec.texts)
        sql = (
            f"SELECT object_id FROM (SELECT rowid AS object_id, "  # nosec B608
            f"bm25({spec.index}, {weights}) AS r FROM {spec.index} WHERE {spec.index} MATCH %s "
            f"AND (embargo_lifts_on IS NULL OR embargo_lifts_on <= %s) LIMIT {candidates}) "
            f"ORDER BY r, object_id LIMIT {int(limit)}"
        )
        params = [_fts5_query(words, phrases, prefix_words), on.isoformat()]
    else:
        raise NotImplementedError(f"no search index on {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def match(kind, terms, *, phrase=False, prefix=False, on, limit, connection=None):
    """`search()` for a list of query words: all of them, or one phrase of them, or all with
    the last one as the start of a word."""
    terms = [t for t in terms if t]
    if not terms:
        return []
    if phrase:
        return search(kind, phrases=[terms], on=on, limit=limit, connection=connection)
    if prefix:
        return search(
            kind,
            words=terms[:-1],
            prefix_words=terms[-1:],
            on=on,
            limit=limit,
            connection=connection,
        )
    return search(kind, words=terms, on=on, limit=limit, connection=connection)


def counts(connection=None):
    """{kind: rows in its index}."""
    connection = connection or default_connection
    out = {}
    with connection.cursor() as cursor:
        for kind, spec in SPECS.items():
            cursor.execute(f"SELECT count(*) FROM {spec.index}")  # nosec B608
            out[kind] = cursor.fetchone()[0]
    return out


def indexed_ids(kind, connection=None):
    """Every object id in the `kind` index (for tests and checks)."""
    connection = connection or default_connection
    column = "object_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {SPECS[kind].index}")  # nosec B608
        return {row[0] for row in cursor.fetchall()}
