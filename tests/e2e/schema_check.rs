//! The diesel schema file must describe exactly what the migrations create, on both backends:
//! the same tables, columns in the same order, the same types and nullability, the same keys.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use platform_db::DbConnection;

use crate::support::{TestDb, both_backends};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    ty: String,
    nullable: bool,
}

#[derive(Debug, Default, PartialEq, Eq)]
struct Table {
    primary_key: Vec<String>,
    columns: Vec<Column>,
}

/// Reads `diesel::table!` blocks from the schema file.
fn schema_file() -> BTreeMap<String, Table> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../db/src/schema.rs");
    let text = std::fs::read_to_string(path).unwrap();
    let mut tables = BTreeMap::new();
    let mut current: Option<(String, Table)> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, rest)) = line.split_once(" (").filter(|_| current.is_none() && line.ends_with(") {")) {
            let pk = rest.trim_end_matches(") {").split(", ").map(str::to_string).collect();
            current = Some((name.to_string(), Table { primary_key: pk, columns: Vec::new() }));
        } else if let Some((_, table)) = current.as_mut()
            && let Some((col, ty)) = line.trim_end_matches(',').split_once(" -> ")
        {
            let (ty, nullable) = match ty.strip_prefix("Nullable<").and_then(|t| t.strip_suffix('>')) {
                Some(inner) => (inner.to_string(), true),
                None => (ty.to_string(), false),
            };
            table.columns.push(Column { name: col.to_string(), ty, nullable });
        } else if line == "}"
            && let Some((name, table)) = current.take()
        {
            tables.insert(name, table);
        }
    }
    tables
}

#[derive(QueryableByName)]
struct Introspected {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Integer)]
    nullable: i32,
    #[diesel(sql_type = Integer)]
    pk_position: i32,
}

fn diesel_type(db_type: &str) -> String {
    match db_type.to_ascii_lowercase().as_str() {
        "text" => "Text",
        "bigint" => "BigInt",
        "integer" => "Integer",
        "smallint" => "SmallInt",
        "date" => "Date",
        "timestamp" | "timestamp without time zone" => "Timestamp",
        "boolean" => "Bool",
        "double precision" => "Double",
        "bytea" | "blob" => "Binary",
        other => panic!("no diesel type for database type {other:?}"),
    }
    .to_string()
}

/// What the migrated database actually holds.
fn database(conn: &mut DbConnection) -> BTreeMap<String, Table> {
    let rows: Vec<Introspected> = match conn {
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, c.data_type::text AS data_type,
                    CASE WHEN c.is_nullable = 'YES' THEN 1 ELSE 0 END AS nullable,
                    COALESCE((SELECT k.ordinal_position FROM information_schema.table_constraints t
                              JOIN information_schema.key_column_usage k
                                ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name
                              WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_name = c.table_name
                                AND t.table_schema = current_schema() AND k.column_name = c.column_name), 0)::int AS pk_position
             FROM information_schema.columns c
             WHERE c.table_schema = current_schema() AND c.table_name <> '__diesel_schema_migrations'
             ORDER BY c.table_name, c.ordinal_position",
        )
        .load(c)
        .unwrap(),
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type,
                    CASE WHEN p.\"notnull\" = 0 THEN 1 ELSE 0 END AS nullable, p.pk AS pk_position
             FROM sqlite_master m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'
             ORDER BY m.name, p.cid",
        )
        .load(c)
        .unwrap(),
    };
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut pks: BTreeMap<String, Vec<(i32, String)>> = BTreeMap::new();
    for r in rows {
        let table = tables.entry(r.table_name.clone()).or_default();
        table.columns.push(Column {
            name: r.column_name.clone(),
            ty: diesel_type(&r.data_type),
            nullable: r.nullable == 1,
        });
        if r.pk_position > 0 {
            pks.entry(r.table_name).or_default().push((r.pk_position, r.column_name));
        }
    }
    for (name, mut cols) in pks {
        cols.sort();
        if let Some(t) = tables.get_mut(&name) {
            t.primary_key = cols.into_iter().map(|(_, c)| c).collect();
        }
    }
    tables
}

fn assert_same(file: &BTreeMap<String, Table>, db: &BTreeMap<String, Table>) {
    let file_names: Vec<_> = file.keys().collect();
    let db_names: Vec<_> = db.keys().collect();
    assert_eq!(file_names, db_names, "schema.rs and the migrations create different tables");
    for (name, table) in file {
        assert_eq!(&db[name], table, "table {name} differs between schema.rs and the migrated database");
    }
}

both_backends! {
    fn schema_file_matches_migrations(db) {
        let mut conn = db.migrated();
        let file = schema_file();
        assert!(file.len() >= 20, "the schema file parsed to only {} tables", file.len());
        assert_same(&file, &database(&mut conn));
    }
}

#[test]
fn a_drifted_schema_is_caught() {
    // The check itself must be able to fail: drop a column's nullability and it must object.
    let db = TestDb::new(platform_db::Backend::Sqlite);
    let mut conn = db.migrated();
    let mut file = schema_file();
    file.get_mut("contracts").unwrap().columns[0].nullable = true;
    let actual = database(&mut conn);
    let result = std::panic::catch_unwind(|| assert_same(&file, &actual));
    assert!(result.is_err());
}
