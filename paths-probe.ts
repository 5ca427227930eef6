import { runHostileStore } from "./tests/stress/hostile-store.ts";
console.log(JSON.stringify(await runHostileStore({ seed: 11, rounds: 4 }), null, 1).slice(0, 3000));
