// The ward map: a Streamlit components.v2 renderer (no build step), drawn with the vendored Leaflet.
//
// Streamlit calls this function on the first run and again whenever `data` changes, with the same
// parentElement, so the map is made once and then restyled. The ward geometry comes from a static
// file named by its content's hash (fetched once, kept by the browser); `data` only says how to
// colour it. Every piece of text from the data pack goes into the page with textContent, never as
// HTML. See docs/decisions/0006-national-map.md.

const VENDOR = "/app/static/vendor";
const TIP = "sm-tip";
const CLUSTER = "sm-cluster";
const ASSET = "sm-asset";
const COUNT_ZOOM = 8;
const SHAPES = {
  square: "3,3 15,3 15,15 3,15",
  diamond: "9,1 17,9 9,17 1,9",
  triangle: "9,1 17,16 1,16",
  hexagon: "5,2 13,2 17,9 13,16 5,16 1,9",
};
const geometryCache = new Map();

function load(tag, attrs) {
  return new Promise((resolve, reject) => {
    const el = document.createElement(tag);
    Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
    el.onload = resolve;
    el.onerror = () => reject(new Error("could not load " + (attrs.src || attrs.href)));
    document.head.appendChild(el);
  });
}

function leaflet() {
  if (!window.__sectorMapLeaflet) {
    window.__sectorMapLeaflet = Promise.all([
      load("link", { rel: "stylesheet", href: VENDOR + "/leaflet/leaflet.css" }),
      load("link", { rel: "stylesheet", href: VENDOR + "/markercluster/MarkerCluster.css" }),
      window.L ? Promise.resolve() : load("script", { src: VENDOR + "/leaflet/leaflet.js" }),
    ]).then(() =>
      window.L.MarkerClusterGroup
        ? null
        : load("script", { src: VENDOR + "/markercluster/leaflet.markercluster.js" })
    ).then(() => window.L);
  }
  return window.__sectorMapLeaflet;
}

// From its file, or from the run itself where the app could not write the file.
function geometry(data) {
  const key = data.geometryKey;
  if (!geometryCache.has(key)) {
    geometryCache.set(
      key,
      data.geometryText
        ? Promise.resolve().then(() => JSON.parse(data.geometryText))
        : fetch(data.geometryUrl).then((r) => {
            if (!r.ok) throw new Error("the ward boundaries file did not load (" + r.status + ")");
            return r.json();
          })
    );
  }
  return geometryCache.get(key);
}

// Straight to Leaflet's LatLng objects: L.polygon keeps them as they are instead of converting
// a [lat, lon] array per point (about 300,000 points for England's wards).
function decodeRing(L, flat, q) {
  const out = new Array(flat.length / 2);
  let lat = 0;
  let lon = 0;
  for (let i = 0; i < flat.length; i += 2) {
    lat += flat[i];
    lon += flat[i + 1];
    out[i / 2] = new L.LatLng(lat / q, lon / q);
  }
  return out;
}

function line(parent, text, className) {
  const el = document.createElement(parent.childNodes.length ? "div" : "b");
  if (className) el.className = className;
  el.textContent = text;
  parent.appendChild(el);
  return el;
}

function plural(n, one, many) {
  return n.toLocaleString("en-GB") + " " + (n === 1 ? one : many);
}

function assetIcon(L, shape, colour) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("viewBox", "0 0 18 18");
  const p = document.createElementNS(ns, "polygon");
  p.setAttribute("points", SHAPES[shape] || SHAPES.square);
  p.setAttribute("fill", colour);
  p.setAttribute("stroke", "#fff");
  p.setAttribute("stroke-width", "1.5");
  svg.appendChild(p);
  return L.divIcon({ html: svg, className: ASSET, iconSize: [18, 18], iconAnchor: [9, 9] });
}

class WardMap {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "sm-ward-map";
    this.status = document.createElement("div");
    this.status.className = "sm-status";
    this.status.textContent = "Drawing the wards…";
    this.root.appendChild(this.status);
    parent.appendChild(this.root);
    this.data = null;
    this.url = null;
    this.map = null;
  }

  update(data, api) {
    this.data = data;
    this.api = api;
    this.root.style.height = (data.height || 580) + "px";
    if (data.geometryKey === this.url && this.geo) {
      this.apply();
      return;
    }
    this.url = data.geometryKey;
    Promise.all([leaflet(), geometry(data)])
      .then(([L, geo]) => {
        if (this.url !== data.geometryKey) return; // a newer pack is on its way
        this.build(L, geo);
        this.apply();
      })
      .catch((err) => {
        this.status.textContent = "The map could not be drawn: " + err.message;
        this.root.setAttribute("data-map-error", "1");
      });
  }

  build(L, geo) {
    this.L = L;
    this.geo = geo;
    const n = geo.codes.length;
    const many = n > 400;
    if (this.map) this.map.remove();
    const host = document.createElement("div");
    host.className = "sm-leaflet";
    this.root.replaceChildren(host, this.status);
    this.status.textContent = "";
    const map = L.map(host, { zoomSnap: 0.25, minZoom: 5, maxZoom: 18, preferCanvas: many });
    this.map = map;
    window.sectorMap = map;
    L.control.scale({ imperial: false }).addTo(map);
    if (this.data.basemap) {
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
      }).addTo(map);
    }
    map.createPane("selected").style.zIndex = 450;
    map.fitBounds(geo.bounds, { padding: [8, 8] });
    this.renderer = many ? L.canvas({ padding: 0.3, tolerance: 0 }) : L.svg({ padding: 0.3 });
    this.wards = [];
    // Each ward is made in its colours for this run (so apply() has nothing to restyle), and one
    // tooltip and one set of handlers on the group serve every ward.
    const group = L.featureGroup();
    for (let i = 0; i < n; i++) {
      const polys = geo.shapes[i].map((rings) => rings.map((r) => decodeRing(L, r, geo.q)));
      if (!polys.length) {
        this.wards.push(null);
        continue;
      }
      const layer = L.polygon(polys, { renderer: this.renderer, smoothFactor: 0.5, ...this.style(i) });
      layer.wardIndex = i;
      layer.wardCode = geo.codes[i];
      group.addLayer(layer);
      this.wards.push(layer);
    }
    this.styled = this.styleKey();
    group.bindTooltip((layer) => this.tooltip(layer.wardIndex), { sticky: true, className: TIP });
    group.on("mouseover", (e) => e.layer.setStyle({ weight: 3, color: "#212529", dashArray: null }));
    group.on("mouseout", (e) => e.layer.setStyle(this.style(e.layer.wardIndex)));
    group.on("click", (e) => {
      L.DomEvent.stopPropagation(e);
      this.api.setTriggerValue("ward", geo.codes[e.layer.wardIndex]);
    });
    group.addTo(map);
    map.on("click", () => this.api.setTriggerValue("ward", null));
    map.on("moveend", () => this.reportView());
    this.orgLayer = L.layerGroup().addTo(map);
    this.assetLayer = L.layerGroup().addTo(map);
    this.selectedLayer = null;
    this.drawnOrgs = null;
    this.drawnAssets = null;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        const drawn = this.wards.filter(Boolean).length;
        this.root.setAttribute("data-wards-drawn", String(drawn));
        window.sectorMapWardsDrawn = drawn;
      })
    );
  }

  style(i) {
    const w = this.data.wards;
    const c = w.cls[i];
    if (c < 0) {
      return {
        fillColor: w.noData,
        fillOpacity: 0.9,
        color: "#6c757d",
        weight: w.many ? 0.5 : 1.2,
        opacity: 1,
        dashArray: "4 3",
      };
    }
    const fill = w.colours[c];
    if (w.many) return { fillColor: fill, fillOpacity: 0.85, color: fill, weight: 0.5, opacity: 0.85, dashArray: null };
    return { fillColor: fill, fillOpacity: 0.85, color: "#ffffff", weight: 1, opacity: 1, dashArray: null };
  }

  tooltip(i) {
    const w = this.data.wards;
    const box = document.createElement("div");
    line(box, this.geo.names[i]);
    line(box, w.label + ": " + w.text[i]);
    const r = w.rank[i];
    if (r) {
      const tied = w.rank.reduce((k, x) => k + (x === r ? 1 : 0), 0) - 1;
      const shared = tied ? ", tied with " + plural(tied, "other ward", "other wards") : "";
      line(box, "rank " + r.toLocaleString("en-GB") + " of " + w.nRanked.toLocaleString("en-GB") +
        " in the area" + shared + " (1 = most need)", "sm-muted");
    }
    const counts = this.data.orgs && this.data.orgs.counts;
    if (counts) line(box, plural(counts[i], "organisation", "organisations") + " shown here", "sm-muted");
    return box;
  }

  styleKey() {
    const w = this.data.wards;
    return JSON.stringify([w.cls, w.colours, w.noData, w.many]);
  }

  apply() {
    const w = this.data.wards;
    const key = this.styleKey();
    if (key !== this.styled) {
      this.wards.forEach((layer, i) => layer && layer.setStyle(this.style(i)));
      this.styled = key;
    }
    this.drawSelected(w.selected);
    this.drawOrgs(this.data.orgs);
    this.drawAssets(this.data.assets);
  }

  drawSelected(i) {
    if (this.selectedLayer) this.selectedLayer.remove();
    this.selectedLayer = null;
    const layer = i >= 0 ? this.wards[i] : null;
    if (!layer) return;
    this.selectedLayer = this.L.polygon(layer.getLatLngs(), {
      pane: "selected",
      renderer: this.L.svg({ pane: "selected" }),
      fill: false,
      color: "#000000",
      weight: 4,
      opacity: 1,
      interactive: false,
    }).addTo(this.map);
  }

  orgTooltip(t, row) {
    const box = document.createElement("div");
    line(box, row[4]);
    if (row[5] >= 0) line(box, t.subtitles[row[5]]);
    if (row[6] >= 0) line(box, t.themes[row[6]], "sm-muted");
    if (row[7]) line(box, "Shown at its contact address", "sm-muted");
    return box;
  }

  drawOrgs(orgs) {
    const key = JSON.stringify(orgs || null);
    if (key === this.drawnOrgs) return;
    this.drawnOrgs = key;
    const L = this.L;
    this.orgLayer.clearLayers();
    this.root.removeAttribute("data-org-mode");
    this.note("");
    if (!orgs) return;
    this.root.setAttribute("data-org-mode", orgs.mode);
    this.countZoom = this.map.getZoom();
    const markers = (orgs.rows || []).map((row) =>
      L.circleMarker([row[0], row[1]], {
        radius: row[3],
        color: "#ffffff",
        weight: 1.5,
        fillColor: orgs.colours[row[2]],
        fillOpacity: 0.95,
      }).bindTooltip(this.orgTooltip(orgs, row), { className: TIP, direction: "top" })
    );
    if (orgs.mode === "points") {
      const cluster = L.markerClusterGroup({
        showCoverageOnHover: false,
        disableClusteringAtZoom: 16,
        spiderfyOnMaxZoom: true,
        chunkedLoading: true,
        iconCreateFunction: (c) => {
          const n = c.getChildCount();
          const size = n < 10 ? 30 : n < 100 ? 36 : 42;
          const inner = document.createElement("div");
          const span = document.createElement("span");
          span.textContent = String(n);
          inner.appendChild(span);
          return L.divIcon({ html: inner, className: CLUSTER, iconSize: L.point(size, size) });
        },
      });
      cluster.addLayers(markers);
      this.orgLayer.addLayer(cluster);
      return;
    }
    // Counts per ward; the points themselves once zoomed in far enough for Python to send them.
    if (markers.length && this.map.getZoom() >= orgs.pointZoom) {
      markers.forEach((m) => this.orgLayer.addLayer(m));
      return;
    }
    // Below COUNT_ZOOM the wards' colours are the story: circles would cover them, so a note
    // says to zoom in. From there, a circle per ward sized by its count, growing with the zoom.
    const geo = this.geo;
    const zoom = this.map.getZoom();
    if (zoom < COUNT_ZOOM) {
      this.note("Zoom in to see how many organisations are in each ward.");
      return;
    }
    this.note("");
    const most = Math.max(1, ...orgs.counts);
    const scale = Math.min(1.5, Math.pow(2, (zoom - 11) / 2));
    orgs.counts.forEach((n, i) => {
      if (!n || !geo.centres[i]) return;
      const m = L.circleMarker(geo.centres[i], {
        radius: Math.max(2, (3 + 11 * Math.sqrt(n / most)) * scale),
        color: "#ffffff",
        weight: 1,
        fillColor: "#263238",
        fillOpacity: 0.7,
        className: "sm-count",
      });
      const box = document.createElement("div");
      line(box, geo.names[i]);
      line(box, plural(n, "organisation", "organisations") + " shown here");
      line(box, "Zoom in to see them one by one", "sm-muted");
      m.bindTooltip(box, { className: TIP, direction: "top" });
      m.on("click", (e) => {
        L.DomEvent.stopPropagation(e);
        this.api.setTriggerValue("ward", geo.codes[i]);
      });
      this.orgLayer.addLayer(m);
    });
  }

  note(text) {
    this.status.textContent = text;
  }

  drawAssets(assets) {
    const key = JSON.stringify(assets || null);
    if (key === this.drawnAssets) return;
    this.drawnAssets = key;
    this.assetLayer.clearLayers();
    if (!assets) return;
    assets.rows.forEach((row) => {
      const [shape, colour] = assets.styles[row[2]];
      const box = document.createElement("div");
      line(box, row[3]);
      if (row[4]) line(box, row[4]);
      line(box, "Status: " + row[5], "sm-muted");
      this.L.marker([row[0], row[1]], { icon: assetIcon(this.L, shape, colour), riseOnHover: true })
        .bindTooltip(box, { className: TIP, direction: "top", offset: [0, -8] })
        .addTo(this.assetLayer);
    });
  }

  redrawOrgs() {
    this.drawnOrgs = null;
    this.drawOrgs(this.data.orgs);
  }

  // A national map with many organisations asks Python for the points in view once zoomed in.
  reportView() {
    const orgs = this.data && this.data.orgs;
    if (!orgs || orgs.mode !== "counts") return;
    const zoom = this.map.getZoom();
    const view = this.map.getBounds();
    if (zoom < orgs.pointZoom) {
      if (this.asked) {
        this.asked = null;
        this.api.setStateValue("view", null);
      }
      if (zoom !== this.countZoom) this.redrawOrgs();
      return;
    }
    if (this.asked && this.asked.contains(view)) {
      this.redrawOrgs();
      return;
    }
    const wide = view.pad(0.5);
    this.asked = wide;
    this.api.setStateValue("view", {
      bounds: [
        [wide.getSouth(), wide.getWest()],
        [wide.getNorth(), wide.getEast()],
      ],
      zoom: zoom,
    });
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue, setStateValue } = component;
  let wardMap = parentElement.__sectorWardMap;
  if (!wardMap) {
    wardMap = new WardMap(parentElement);
    parentElement.__sectorWardMap = wardMap;
  }
  wardMap.update(data, { setTriggerValue, setStateValue });
}
