// What a table read costs in Azurite's own store (LokiJS, as Azurite's table service uses it: one collection per table,
// indexed on PartitionKey and RowKey), by how many rows the table holds. Azurite looks a point read up by its row key
// first, then checks the partition key of every row with that key; and it answers a query by filtering the whole
// table. So a row key that every partition shares makes each point read as slow as the table is large.
//
//   node tests/IncidentFunctions.Benchmarks/Azurite/row-keys.js
//
// Prints, for 1,000 / 10,000 / 50,000 rows, the mean time of a point read when every row has the same row key (the
// incident rows' "incident", the alert keys' "", the Durable provider's instance rows), when each row has its own, and
// of a one-partition query. No Azurite process: the store's code alone, without HTTP, so only the lookups differ.
"use strict";
const loki = require("lokijs");

function run(rows) {
  const db = new loki("row-keys");
  const shared = db.addCollection("shared", { indices: ["PartitionKey", "RowKey"] });
  const own = db.addCollection("own", { indices: ["PartitionKey", "RowKey"] });
  for (let i = 0; i < rows; i++) {
    shared.insert({ PartitionKey: "INC-" + i, RowKey: "incident", Title: "row " + i });
    own.insert({ PartitionKey: "INC-" + i, RowKey: "incident-" + i, Title: "row " + i });
  }

  const reads = 200;
  const partition = (r) => (r * 7919) % rows;
  const mean = (read) => {
    const started = process.hrtime.bigint();
    for (let r = 0; r < reads; r++) { read(partition(r)); }
    return Number(process.hrtime.bigint() - started) / 1e6 / reads;
  };

  // The same lookups Azurite makes: findOne with the row key first for a point read, chain().where() for a query.
  const sharedKey = mean((p) => shared.findOne({ RowKey: "incident", PartitionKey: "INC-" + p }));
  const ownKey = mean((p) => own.findOne({ RowKey: "incident-" + p, PartitionKey: "INC-" + p }));
  const query = mean((p) => shared.chain().where((row) => row.PartitionKey === "INC-" + p).data());
  console.log(`${rows} rows: point read, one row key shared by all ${sharedKey.toFixed(3)} ms; ` +
    `a row key of its own ${ownKey.toFixed(3)} ms; one partition's query ${query.toFixed(3)} ms`);
}

for (const rows of [1000, 10000, 50000]) { run(rows); }
