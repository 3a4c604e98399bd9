// Runs SQL against a store file from another process: a stand-in for another CIDX process
// changing the store at a chosen moment. Usage: node run-sql.js <db path> <sql>
const Database = require('better-sqlite3');

const [dbPath, sql] = process.argv.slice(2);
const db = new Database(dbPath);
try {
  db.pragma('busy_timeout = 5000');
  db.exec(sql);
} finally {
  db.close();
}
