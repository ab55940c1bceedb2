// Compiles the Echain contracts with solc-js (pinned in package-lock.json, runs offline) and writes
// build/<Contract>.json = {contractName, abi, bytecode, compiler}; the test-only contracts of test/*.sol go to
// build/test/. The build and the tests use those committed files; `node compile.mjs --check` fails when they no
// longer match the sources. Interfaces have no bytecode and get no artifact.
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const solc = require("solc");
const check = process.argv.includes("--check");

const settings = {
  optimizer: { enabled: true, runs: 200 },
  // Cancun: supported by Base and by anvil's default hardfork alike.
  evmVersion: "cancun",
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
};
const solidityIn = dir => existsSync(join(here, dir)) ? readdirSync(join(here, dir)).filter(f => f.endsWith(".sol")).sort()
  .map(f => dir === "." ? f : `${dir}/${f}`) : [];
const sources = Object.fromEntries([...solidityIn("."), ...solidityIn("test")]
  .map(f => [f, { content: readFileSync(join(here, f), "utf8") }]));
const findImports = path => {
  const file = join(here, "node_modules", path);
  return existsSync(file) ? { contents: readFileSync(file, "utf8") } : { error: `not found: ${path}` };
};
const output = JSON.parse(solc.compile(JSON.stringify({ language: "Solidity", sources, settings }), { import: findImports }));
const errors = (output.errors ?? []).filter(e => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

let stale = 0;
for (const file of Object.keys(sources)) {
  const buildDir = join("build", dirname(file));
  mkdirSync(join(here, buildDir), { recursive: true });
  for (const [name, contract] of Object.entries(output.contracts[file])) {
    if (contract.evm.bytecode.object === "") continue;
    const artifact = JSON.stringify({
      contractName: name,
      abi: contract.abi,
      bytecode: "0x" + contract.evm.bytecode.object,
      compiler: { solc: solc.version(), settings: { optimizer: settings.optimizer, evmVersion: settings.evmVersion } },
    }, null, 2) + "\n";
    const artifactPath = join(buildDir, `${name}.json`);
    const target = join(here, artifactPath);
    const current = existsSync(target) ? readFileSync(target, "utf8") : null;
    if (current === artifact) continue;
    if (check) {
      console.error(`${artifactPath} does not match ${file}: run \`node contracts/compile.mjs\` and commit the result`);
      stale++;
    } else {
      writeFileSync(target, artifact);
      console.log(`wrote ${artifactPath}`);
    }
  }
}
process.exit(stale > 0 ? 1 : 0);
