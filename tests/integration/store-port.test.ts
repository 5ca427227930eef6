import { join } from "node:path";
import { openStore } from "../../src/store/open.ts";
import { openPostgresStore } from "../../src/store/postgres/open.ts";
import { createTestDatabase } from "../helpers/postgres.ts";
import { describeStoreContract } from "../helpers/store-contract.ts";
import { makeProject } from "../helpers/temp.ts";

describeStoreContract("SQLite", async () => {
  const project = makeProject("orch-store-port-");
  const store = await openStore(join(project.dir, "port.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      project.cleanup();
    },
  };
});

describeStoreContract("PostgreSQL", async () => {
  const database = await createTestDatabase();
  const store = await openPostgresStore(database.url);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
});
