//! Migrations apply, roll back and apply again on both backends; a migration that fails part-way
//! leaves the schema and the data as they were.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use platform_db::DbConnection;
use platform_db::conn::{migration_status, revert_all_migrations, run_migrations};
use platform_db::repo::tenants;

use crate::support::{both_backends, now};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The tables the migrations create (the schema file lists the same ones; schema_check compares).
const TABLES: i64 = 45;

fn table_count(conn: &mut DbConnection) -> i64 {
    let sql = match conn {
        DbConnection::Postgres(_) => {
            "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'"
        }
        DbConnection::Sqlite(_) => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'"
        }
    };
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

fn folder(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Postgres(_) => "postgres",
        DbConnection::Sqlite(_) => "sqlite",
    }
}

both_backends! {
    fn migrations_apply_roll_back_and_apply_again(db) {
        let mut conn = db.conn();
        let count = crate::support::migration_count();
        let applied = run_migrations(&mut conn).unwrap();
        assert_eq!(applied.len(), count);
        assert!(migration_status(&mut conn).unwrap().is_current());
        assert_eq!(table_count(&mut conn), TABLES);

        // Running again applies nothing.
        assert!(run_migrations(&mut conn).unwrap().is_empty());

        let reverted = revert_all_migrations(&mut conn).unwrap();
        assert_eq!(reverted.len(), count);
        assert_eq!(table_count(&mut conn), 0, "down migrations left tables behind");
        assert_eq!(migration_status(&mut conn).unwrap().pending.len(), count);

        assert_eq!(run_migrations(&mut conn).unwrap().len(), count);
        assert_eq!(table_count(&mut conn), TABLES);
    }

    fn a_failing_migration_changes_nothing(db) {
        let mut conn = db.migrated();
        platform_db::seed::seed(&mut conn, false, crate::support::today(), now()).unwrap();

        // The real migrations plus one that creates a table and then fails.
        let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(folder(&conn));
        let dir = db.dir.path().join("migrations");
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&source).unwrap() {
            let entry = entry.unwrap();
            let target = dir.join(entry.file_name());
            std::fs::create_dir_all(&target).unwrap();
            for f in ["up.sql", "down.sql"] {
                std::fs::copy(entry.path().join(f), target.join(f)).unwrap();
            }
        }
        let broken = dir.join("2099-01-01-000000_broken");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::write(broken.join("up.sql"), "CREATE TABLE half_done (id TEXT);\nUPDATE tenants SET name = 'changed';\nINSERT INTO no_such_table VALUES (1);\n").unwrap();
        std::fs::write(broken.join("down.sql"), "DROP TABLE half_done;\n").unwrap();
        let migrations = FileBasedMigrations::from_path(&dir).unwrap();

        let result = match &mut conn {
            DbConnection::Postgres(c) => c.run_pending_migrations(migrations).map(|v| v.len()),
            DbConnection::Sqlite(c) => c.run_pending_migrations(migrations).map(|v| v.len()),
        };
        assert!(result.is_err(), "the broken migration should fail");

        assert_eq!(table_count(&mut conn), TABLES, "the failed migration left a table behind");
        let names: Vec<String> = tenants::list_all(&mut conn).unwrap().into_iter().map(|t| t.name).collect();
        assert_eq!(names.len(), 5);
        assert!(names.iter().all(|n| n != "changed"), "the failed migration changed data: {names:?}");
        assert!(migration_status(&mut conn).unwrap().is_current(), "the failed migration was recorded");
        conn.batch_execute("SELECT 1").unwrap();
    }
}
