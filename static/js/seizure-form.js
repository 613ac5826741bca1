// The seizure form: firearm rows added and removed in the page, the device's GPS
// position, and maker/caliber suggestions while typing. Without this file the
// form still works: the buttons submit and the server re-renders the page.
(function () {
  "use strict";

  function renumber(container) {
    var rows = container.querySelectorAll("[data-firearm-row]");
    rows.forEach(function (row, i) {
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(i + 1); }
    });
  }

  function nextIndex(container) {
    var highest = -1;
    container.querySelectorAll("[name^='firearms-']").forEach(function (input) {
      var match = /^firearms-(\d+)-/.exec(input.getAttribute("name"));
      if (match) { highest = Math.max(highest, parseInt(match[1], 10)); }
    });
    return highest + 1;
  }

  function addRow(form) {
    var container = form.querySelector("[data-firearm-rows]");
    var template = form.querySelector("template[data-firearm-template]");
    if (!container || !template) { return; }
    var index = String(nextIndex(container));
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[id], [name], [for], [aria-describedby], [value]").forEach(function (el) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.split("__index__").join(index)); }
      });
      if (el.matches("[data-remove-firearm]")) { el.value = index; }
    });
    container.appendChild(fragment);
    renumber(container);
    var rows = container.querySelectorAll("[data-firearm-row]");
    var first = rows[rows.length - 1].querySelector("select, input");
    if (first) { first.focus(); }
  }

  function removeRow(button) {
    var container = button.closest("[data-firearm-rows]");
    var row = button.closest("[data-firearm-row]");
    if (!container || !row || container.querySelectorAll("[data-firearm-row]").length < 2) { return; }
    row.remove();
    renumber(container);
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-firearm]");
    if (add) { event.preventDefault(); addRow(add.form); return; }
    var remove = event.target.closest("[data-remove-firearm]");
    if (remove) { event.preventDefault(); removeRow(remove); }
  });

  // --- the device's position ---------------------------------------------------------------
  function setUpGps(box) {
    if (!("geolocation" in navigator)) { return; }
    var form = box.closest("form");
    var status = box.querySelector("[data-gps-status]");
    box.hidden = false;
    box.querySelector("[data-gps-button]").addEventListener("click", function () {
      status.textContent = box.getAttribute("data-msg-working");
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        form.elements.coordinate_source.value = "gps";
        status.textContent = box.getAttribute("data-msg-done").replace("{m}", String(Math.round(position.coords.accuracy)));
      }, function () {
        status.textContent = box.getAttribute("data-msg-failed");
      }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 60000});
    });
  }

  // --- suggestions from the reference lists ------------------------------------------------
  var timers = new WeakMap();
  var originals = {};

  function suggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    if (!(list.id in originals)) { originals[list.id] = list.innerHTML; }
    var text = input.value.trim();
    if (text.length < 2) { list.innerHTML = originals[list.id]; return; }
    var url = input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text);
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (body) {
        if (input.value.trim() !== text) { return; }
        list.textContent = "";
        (body.items || []).forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.name;
          list.appendChild(option);
        });
      })
      .catch(function () { /* suggestions are a convenience; the field still works */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-suggest]")) { return; }
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { suggest(input); }, 200));
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-gps]").forEach(setUpGps);
  });
})();
