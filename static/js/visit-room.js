// The video room of one visit (docs/architecture.md "Video visits").
//
// Media goes between the two browsers with WebRTC (DTLS-SRTP), through TURN when the networks need
// it. The portal's WebSocket only carries presence, the physician's "Admit" and "End", and the
// session descriptions and ICE candidates. Roles are fixed so the two sides never negotiate at
// once: the patient asks for a call ("restart"), the physician makes the offer, the patient
// answers. Each offer names its call; a new call replaces the old peer connection on both sides.
(function () {
  "use strict";

  const root = document.getElementById("visit-room");
  if (!root) return;
  const role = root.dataset.role;
  const isPhysician = role === "physician";
  const otherName = root.dataset.otherName;
  const socketUrl = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.socketPath;

  const el = (id) => document.getElementById(id);
  const ui = {
    status: el("room-status"),
    problem: el("room-problem"),
    remoteVideo: el("remote-video"),
    localVideo: el("local-video"),
    mute: el("mute-button"),
    camera: el("camera-button"),
    sound: el("sound-button"),
    end: el("end-button"),
    leave: el("leave-button"),
    indicator: el("connection-indicator"),
    cameraSelect: el("camera-select"),
    microphoneSelect: el("microphone-select"),
    level: el("microphone-level"),
    waiting: el("waiting-panel"),
    admit: el("admit-button"),
    afterCall: el("after-call"),
    deviceCheck: el("device-check"),
    attest: el("attest-link"),
  };

  const room = {
    socket: null,
    socketDelay: 500,
    iceServers: [],
    iceTransportPolicy: "all",
    welcomed: false,
    admitted: false,
    peerPresent: false,
    ended: false,
    finished: false, // left, ended, replaced or refused: no reconnecting
    pc: null,
    callId: null,
    pendingCandidates: [],
    inbox: Promise.resolve(),
    localStream: null,
    muted: false,
    cameraOff: false,
    unhealthySince: null,
    lastRestartAsk: 0,
    signalsSent: 0,
    signalsReceived: 0,
    admitClickedAt: null,
    firstFrameAt: null,
    recoveries: 0,
    socketOpens: 0,
    socketSent: 0,
    socketReceived: 0,
  };

  // --- What the person reads -------------------------------------------------------------------

  function say(text) {
    ui.status.textContent = text;
  }

  function problem(text) {
    ui.problem.textContent = text || "";
    ui.problem.hidden = !text;
  }

  function describeRoom() {
    if (room.ended) return;
    if (!room.welcomed) {
      say("Connecting to the visit…");
    } else if (!room.admitted) {
      if (isPhysician) {
        say(room.peerPresent ? `${otherName} is waiting. Admit them when you are ready.` : `Waiting for ${otherName} to join.`);
      } else {
        say(
          room.peerPresent
            ? `Your physician will let you in. ${otherName} is in the room and will admit you shortly.`
            : `Your physician will let you in. ${otherName} has not joined yet; please stay on this page.`
        );
      }
    } else if (!room.peerPresent) {
      say(`${otherName} has left or lost the connection. Please stay on this page; the call resumes when they return.`);
    } else if (room.pc && room.pc.connectionState === "connected") {
      say(`You are in the call with ${otherName}.`);
    } else {
      say(`Connecting the call with ${otherName}…`);
    }
    if (ui.waiting) ui.waiting.hidden = !(room.welcomed && room.peerPresent && !room.admitted);
    if (ui.end) ui.end.disabled = !room.admitted;
  }

  // --- Camera and microphone -------------------------------------------------------------------

  let meter = null;

  function watchLevel(stream) {
    if (meter) meter.stop();
    const track = stream.getAudioTracks()[0];
    if (!track || !window.AudioContext) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let running = true;
    const tick = () => {
      if (!running) return;
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      const level = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      ui.level.value = room.muted ? 0 : level;
      ui.level.textContent = level > 0.05 ? "sound" : "silent";
      setTimeout(tick, 100);
    };
    // A page may not start audio before a click; the meter starts with the first one.
    if (context.state === "suspended") document.addEventListener("click", () => context.resume(), { once: true });
    tick();
    meter = { stop: () => { running = false; context.close(); } };
  }

  async function listDevices() {
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select, kind, current) => {
      select.replaceChildren();
      devices.filter((d) => d.kind === kind).forEach((d, index) => {
        const option = new Option(d.label || `${kind === "videoinput" ? "Camera" : "Microphone"} ${index + 1}`, d.deviceId);
        option.selected = d.deviceId === current;
        select.append(option);
      });
    };
    const settingsOf = (tracks) => (tracks[0] ? tracks[0].getSettings().deviceId : "");
    fill(ui.cameraSelect, "videoinput", settingsOf(room.localStream ? room.localStream.getVideoTracks() : []));
    fill(ui.microphoneSelect, "audioinput", settingsOf(room.localStream ? room.localStream.getAudioTracks() : []));
  }

  async function startMedia() {
    const cameraId = ui.cameraSelect.value;
    const microphoneId = ui.microphoneSelect.value;
    const constraints = {
      video: cameraId ? { deviceId: { exact: cameraId } } : { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: microphoneId ? { deviceId: { exact: microphoneId } } : true,
    };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      problem(
        "The browser did not let the portal use your camera or microphone. Allow both for this site " +
          "(the camera icon in the address bar), then reload this page. You can still hear and see the other side."
      );
      return;
    }
    problem("");
    if (room.localStream) room.localStream.getTracks().forEach((t) => t.stop());
    room.localStream = stream;
    ui.localVideo.srcObject = stream;
    applyTrackSwitches();
    if (room.pc) {
      for (const track of stream.getTracks()) {
        const sender = room.pc.getSenders().find((s) => s.track && s.track.kind === track.kind);
        if (sender) await sender.replaceTrack(track);
      }
    }
    watchLevel(stream);
    await listDevices();
  }

  function applyTrackSwitches() {
    if (!room.localStream) return;
    room.localStream.getAudioTracks().forEach((t) => (t.enabled = !room.muted));
    room.localStream.getVideoTracks().forEach((t) => (t.enabled = !room.cameraOff));
    ui.mute.textContent = room.muted ? "Unmute" : "Mute";
    ui.mute.setAttribute("aria-pressed", String(room.muted));
    ui.camera.textContent = room.cameraOff ? "Turn camera on" : "Turn camera off";
    ui.camera.setAttribute("aria-pressed", String(room.cameraOff));
  }

  // --- The signaling socket --------------------------------------------------------------------

  function send(message) {
    if (room.socket && room.socket.readyState === WebSocket.OPEN) {
      room.socket.send(JSON.stringify(message));
      room.socketSent += 1;
      if (message.type === "signal") room.signalsSent += 1;
      return true;
    }
    return false;
  }

  function connect() {
    const socket = new WebSocket(socketUrl);
    room.socket = socket;
    socket.addEventListener("open", () => {
      room.socketDelay = 500;
      room.socketOpens += 1;
    });
    socket.addEventListener("message", (event) => {
      room.socketReceived += 1;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      onMessage(message);
    });
    socket.addEventListener("close", (event) => {
      if (room.socket !== socket) return;
      room.welcomed = false;
      room.peerPresent = false;
      if (event.code === 4404) {
        room.finished = true;
        say("This video room is not available to you.");
      } else if (event.code === 4409) {
        room.finished = true;
        closeCall();
        say("This visit is now open in another window or on another device, so this one has stepped aside.");
      } else if (event.code === 4403 || event.code === 4000) {
        room.finished = true;
      }
      if (room.finished) return;
      // The network dropped: the call's media may well still be flowing; reconnect signaling.
      say("Reconnecting…");
      setTimeout(connect, room.socketDelay);
      room.socketDelay = Math.min(room.socketDelay * 2, 5000);
    });
  }

  function onMessage(message) {
    switch (message.type) {
      case "welcome":
        room.welcomed = true;
        room.admitted = message.admitted;
        room.iceServers = message.iceServers || [];
        room.iceTransportPolicy = message.iceTransportPolicy || "all";
        if (room.pc) {
          // Fresh TURN credentials for any ICE restart to come.
          room.pc.setConfiguration({ ...room.pc.getConfiguration(), iceServers: room.iceServers });
        }
        break;
      case "refused":
        room.finished = true;
        problem(message.message);
        if (message.attest && ui.attest) ui.attest.hidden = false;
        say("You cannot enter the video room right now.");
        return;
      case "peer":
        room.peerPresent = message.present;
        if (!message.present) room.unhealthySince = null;
        if (message.present && !isPhysician && room.admitted) askForCall(callIsFailing());
        break;
      case "admitted":
        room.admitted = true;
        if (!isPhysician) askForCall(callIsFailing());
        break;
      case "signal":
        room.signalsReceived += 1;
        room.inbox = room.inbox.then(() => onSignal(message.data)).catch((error) => console.warn("signal", error));
        break;
      case "ended":
        finishCall();
        return;
      case "replaced":
        return;
    }
    if (message.type === "welcome" && !isPhysician && room.admitted && room.peerPresent) askForCall(callIsFailing());
    describeRoom();
  }

  // --- The call --------------------------------------------------------------------------------

  function newPeerConnection(callId) {
    closeCall();
    const pc = new RTCPeerConnection({
      iceServers: room.iceServers,
      iceTransportPolicy: room.iceTransportPolicy,
    });
    room.pc = pc;
    room.callId = callId;
    room.pendingCandidates = [];
    room.unhealthySince = null;
    pc.addEventListener("icecandidate", (event) => {
      if (event.candidate) send({ type: "signal", data: { kind: "candidate", call: callId, candidate: event.candidate.toJSON() } });
    });
    pc.addEventListener("track", (event) => {
      const stream = event.streams[0] || new MediaStream([event.track]);
      if (ui.remoteVideo.srcObject !== stream) {
        ui.remoteVideo.srcObject = stream;
        watchFirstFrame();
        ui.remoteVideo.play().catch(() => {
          ui.sound.hidden = false;
        });
      }
    });
    pc.addEventListener("connectionstatechange", () => {
      const state = pc.connectionState;
      if (state === "connected") {
        room.unhealthySince = null;
        problem("");
      } else if ((state === "disconnected" || state === "failed") && room.unhealthySince === null) {
        room.unhealthySince = Date.now();
      }
      describeRoom();
    });
    if (isPhysician) {
      pc.addEventListener("negotiationneeded", async () => {
        if (room.pc !== pc) return;
        await pc.setLocalDescription();
        send({ type: "signal", data: { kind: "description", call: callId, description: pc.localDescription.toJSON() } });
      });
    }
    return pc;
  }

  function addLocalMedia(pc) {
    const kinds = new Set();
    if (room.localStream) {
      for (const track of room.localStream.getTracks()) {
        pc.addTrack(track, room.localStream);
        kinds.add(track.kind);
      }
    }
    // Without a camera or microphone this side still receives the other's.
    for (const kind of ["audio", "video"]) {
      if (!kinds.has(kind) && isPhysician) pc.addTransceiver(kind, { direction: "recvonly" });
    }
  }

  function closeCall() {
    if (room.pc) {
      room.pc.close();
      room.pc = null;
    }
    room.callId = null;
  }

  // The patient asks the physician for a call: a new one if this side has none (or the
  // physician's page has no record of it), an ICE restart of the current one if it is failing.
  function askForCall(failing) {
    if (isPhysician || !room.admitted || !room.peerPresent) return;
    room.lastRestartAsk = Date.now();
    send({ type: "signal", data: { kind: "restart", call: room.callId, failing: Boolean(failing) } });
  }

  function callIsFailing() {
    return Boolean(room.pc) && room.pc.connectionState !== "connected";
  }

  async function onSignal(data) {
    if (data.kind === "restart" && isPhysician) {
      const pc = room.pc;
      if (pc && data.call && data.call === room.callId && pc.connectionState !== "closed") {
        if (!data.failing && pc.connectionState !== "failed") return;
        room.recoveries += 1;
        // An ICE restart renegotiates once the last offer is answered; if that answer was lost,
        // waiting would never end, so start the call afresh instead.
        if (pc.signalingState === "stable") {
          pc.restartIce();
          return;
        }
      }
      const callId = Math.random().toString(36).slice(2) + Date.now().toString(36);
      addLocalMedia(newPeerConnection(callId)); // negotiationneeded then sends the offer
      return;
    }
    if (data.kind === "description") {
      const description = data.description;
      if (isPhysician) {
        if (data.call !== room.callId || description.type !== "answer" || !room.pc) return;
        await room.pc.setRemoteDescription(description);
      } else {
        if (description.type !== "offer") return;
        let pc = room.pc;
        const fresh = !pc || data.call !== room.callId;
        if (fresh) pc = newPeerConnection(data.call);
        else room.recoveries += 1;
        await pc.setRemoteDescription(description);
        if (fresh) addLocalMedia(pc);
        await pc.setLocalDescription();
        send({ type: "signal", data: { kind: "description", call: data.call, description: pc.localDescription.toJSON() } });
      }
      const queued = room.pendingCandidates;
      room.pendingCandidates = [];
      for (const candidate of queued) await room.pc.addIceCandidate(candidate);
      return;
    }
    if (data.kind === "candidate") {
      if (data.call !== room.callId || !room.pc) return;
      if (!room.pc.remoteDescription) room.pendingCandidates.push(data.candidate);
      else await room.pc.addIceCandidate(data.candidate);
    }
  }

  function finishCall() {
    room.ended = true;
    room.finished = true;
    room.admitted = false;
    closeCall();
    ui.remoteVideo.srcObject = null;
    if (room.localStream) room.localStream.getTracks().forEach((t) => t.stop());
    if (meter) meter.stop();
    if (room.socket) room.socket.close(1000);
    say(isPhysician ? "The call has ended. Record the outcome below." : "Your visit has ended.");
    ui.afterCall.hidden = false;
    ui.deviceCheck.hidden = true;
    if (ui.waiting) ui.waiting.hidden = true;
    if (ui.end) ui.end.disabled = true;
    ui.mute.disabled = true;
    ui.camera.disabled = true;
    ui.afterCall.querySelector("h2").focus?.();
  }

  function watchFirstFrame() {
    const video = ui.remoteVideo;
    const mark = () => {
      if (room.firstFrameAt === null) room.firstFrameAt = Date.now();
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
    else video.addEventListener("loadeddata", mark, { once: true });
  }

  // --- Connection indicator and recovery -------------------------------------------------------

  let lastInbound = null;

  async function callStats() {
    const result = { inboundVideoBytes: 0, inboundAudioBytes: 0, framesDecoded: 0, candidateType: "", remoteCandidateType: "", roundTripMs: null, packetsLost: 0, packetsReceived: 0 };
    if (!room.pc) return result;
    const report = await room.pc.getStats();
    let pair = null;
    report.forEach((stat) => {
      if (stat.type === "inbound-rtp" && stat.kind === "video") {
        result.inboundVideoBytes += stat.bytesReceived || 0;
        result.framesDecoded += stat.framesDecoded || 0;
      }
      if (stat.type === "inbound-rtp" && stat.kind === "audio") result.inboundAudioBytes += stat.bytesReceived || 0;
      if (stat.type === "inbound-rtp") {
        result.packetsLost += stat.packetsLost || 0;
        result.packetsReceived += stat.packetsReceived || 0;
      }
      if (stat.type === "transport" && stat.selectedCandidatePairId) pair = report.get(stat.selectedCandidatePairId);
    });
    if (pair) {
      const local = report.get(pair.localCandidateId);
      const remote = report.get(pair.remoteCandidateId);
      result.candidateType = local ? local.candidateType : "";
      result.remoteCandidateType = remote ? remote.candidateType : "";
      if (pair.currentRoundTripTime !== undefined) result.roundTripMs = Math.round(pair.currentRoundTripTime * 1000);
    }
    return result;
  }

  async function watchConnection() {
    const pc = room.pc;
    if (!pc || pc.connectionState !== "connected") {
      ui.indicator.textContent = room.admitted && room.peerPresent ? "Connecting…" : "Not connected";
      ui.indicator.dataset.quality = "none";
    } else {
      const stats = await callStats();
      const bytes = stats.inboundVideoBytes + stats.inboundAudioBytes;
      const now = Date.now();
      let kbps = 0;
      if (lastInbound) kbps = Math.round(((bytes - lastInbound.bytes) * 8) / (now - lastInbound.at));
      lastInbound = { bytes, at: now };
      const lossShare = stats.packetsReceived ? stats.packetsLost / (stats.packetsLost + stats.packetsReceived) : 0;
      const quality = lossShare > 0.08 || (stats.roundTripMs || 0) > 600 ? "poor" : lossShare > 0.02 || (stats.roundTripMs || 0) > 300 ? "fair" : "good";
      ui.indicator.textContent = `Connection ${quality} · ${kbps} kbit/s${stats.candidateType === "relay" ? " · relayed" : ""}`;
      ui.indicator.dataset.quality = quality;
    }
    // A call that dropped for 3 seconds, or never connected within 10 (a message was lost), is
    // repaired: the patient asks again, every 5 seconds until it connects.
    const state = room.pc ? room.pc.connectionState : "none";
    const dropped = state === "disconnected" || state === "failed";
    if (state === "connected") room.unhealthySince = null;
    else if (room.unhealthySince === null) room.unhealthySince = Date.now();
    if (!isPhysician && room.admitted && room.peerPresent && state !== "connected") {
      const patience = dropped ? 3000 : 10000;
      if (Date.now() - room.unhealthySince > patience && Date.now() - room.lastRestartAsk > 5000) {
        if (dropped) problem("The connection dropped. Reconnecting the call…");
        askForCall(callIsFailing());
      }
    }
  }

  // --- Buttons ---------------------------------------------------------------------------------

  ui.mute.addEventListener("click", () => {
    room.muted = !room.muted;
    applyTrackSwitches();
  });
  ui.camera.addEventListener("click", () => {
    room.cameraOff = !room.cameraOff;
    applyTrackSwitches();
  });
  ui.sound.addEventListener("click", () => {
    ui.remoteVideo.play().then(() => {
      ui.sound.hidden = true;
    });
  });
  ui.cameraSelect.addEventListener("change", startMedia);
  ui.microphoneSelect.addEventListener("change", startMedia);
  if (ui.admit) {
    ui.admit.addEventListener("click", () => {
      room.admitClickedAt = Date.now();
      send({ type: "admit" });
      ui.admit.disabled = true;
      setTimeout(() => (ui.admit.disabled = false), 3000);
    });
  }
  if (ui.end) {
    ui.end.addEventListener("click", () => {
      if (!send({ type: "end" })) finishCall();
    });
  }
  ui.leave.addEventListener("click", () => {
    room.finished = true;
    closeCall();
    if (room.socket) room.socket.close(1000);
  });

  // For the connection indicator's neighbours: tests and the video benchmark read the call's
  // state and statistics here (nothing in it is health data).
  window.visitRoom = {
    state: () => ({
      role,
      welcomed: room.welcomed,
      admitted: room.admitted,
      peerPresent: room.peerPresent,
      ended: room.ended,
      connectionState: room.pc ? room.pc.connectionState : "none",
      callId: room.callId,
      signalsSent: room.signalsSent,
      signalsReceived: room.signalsReceived,
      admitClickedAt: room.admitClickedAt,
      firstFrameAt: room.firstFrameAt,
      recoveries: room.recoveries,
      socketOpens: room.socketOpens,
      socketSent: room.socketSent,
      socketReceived: room.socketReceived,
      remoteVideoWidth: ui.remoteVideo.videoWidth,
    }),
    stats: callStats,
  };

  setInterval(() => watchConnection().catch(() => {}), 1000);
  // Keeps the socket alive through proxies and the session alive through a long call.
  setInterval(() => send({ type: "ping" }), 60000);
  startMedia().finally(() => {
    describeRoom();
    connect();
  });
})();
