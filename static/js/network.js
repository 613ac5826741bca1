// The network page's graph: Cytoscape.js draws the elements the page carries in data-elements.
// Restricted nodes (another agency's cases) show only the agency. Clicking a case opens its network.
(function () {
  "use strict";
  var COLOURS = {
    same_firearm: "#1f6feb", same_dealer: "#b35900", same_purchaser: "#8250df",
    multiple_sale: "#cf222e", ballistic_hit: "#1a7f37"
  };

  function start() {
    var box = document.getElementById("network-graph");
    if (!box || typeof window.cytoscape !== "function") { return; }
    var elements = JSON.parse(box.getAttribute("data-elements") || "[]");
    elements.forEach(function (element) {
      var data = element.data;
      if (data.kinds) {
        data.colour = COLOURS[data.kinds[0]] || "#57606a";
        data.label = data.kinds.map(function (kind) {
          return box.getAttribute("data-label-" + kind.replace(/_/g, "-")) || kind;
        }).join(" · ");
      }
      if (data.restricted) { data.label = data.label + " (" + box.getAttribute("data-restricted-label") + ")"; }
    });
    var graph = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { "label": "data(label)", "font-size": 10, "background-color": "#0b4f8a",
          "color": "#1f2328", "text-valign": "bottom", "text-margin-y": 4, "width": 22, "height": 22 } },
        { selector: "node[?center]", style: { "background-color": "#cf222e", "width": 30, "height": 30 } },
        { selector: "node[?restricted]", style: { "shape": "round-rectangle", "background-color": "#8c959f" } },
        { selector: "edge", style: { "line-color": "data(colour)", "width": 2, "curve-style": "bezier",
          "label": "data(label)", "font-size": 8, "text-rotation": "autorotate", "color": "#57606a" } }
      ],
      layout: { name: "cose", animate: false, padding: 30, randomize: false, nodeRepulsion: function () { return 40000; } }
    });
    graph.on("tap", "node", function (event) {
      var url = event.target.data("url");
      if (url) { window.location.assign(url); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
