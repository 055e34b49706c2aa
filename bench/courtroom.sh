# What a benchmark courtroom is, shared by bench/record-courtrooms.sh and
# bench/profile-recorder.sh (sourced, not run): its verbatim.toml section for the recorder,
# and the gst-launch arguments of the same courtroom for the comparison groups. Both use
# $PORT, the loopback camera server's port; room k has cameras 4k-3 .. 4k.

ROLES=(judge secretary prosecutor defence witness defendant)

room_toml() { # $1 = room number (1-based): cameras 4k-3 .. 4k
    local k=$1 c m
    printf '\n[[courtrooms]]\nid = "room-%d"\n' "$k"
    for c in 1 2 3 4; do
        printf '\n[[courtrooms.sources]]\nid = "cam%d"\nkind = "rtsp_camera"\nurl = "rtsp://127.0.0.1:%d/cam%d"\n' \
            "$c" "$PORT" $((4 * (k - 1) + c))
    done
    for m in 1 2 3 4 5 6; do
        printf '\n[[courtrooms.sources]]\nid = "mic%d"\nkind = "test_tone"\nfreq = %s\nrole = "%s"\n' \
            "$m" "$((220 * m)).0" "${ROLES[m - 1]}"
    done
}

# gst-launch arguments for room $2 of group $1 (gst-bare | gst-matched), segments under $3.
# After flacenc, `identity drop-buffer-flags=header` drops the encoder's untimestamped header
# buffers, as the recorder's pad probe does (their content also travels in the caps, from
# which matroskamux writes it into every segment). Without it, gst-launch fails at start with
# "Queued GOP time is negative" (4 of 6 splitmuxsinks of one process, first try).
# The camera muxer must be set in the description (muxer="..."), not with muxer-factory and
# muxer-properties: with those, the segments came out unfragmented here.
# gst-bare meters its microphones with `level` and mutes them with `volume`, as a
# gst-launch user would (with the `audioconvert` that `volume`'s formats need before
# flacenc); the recorder does both in one pad probe on the encoder's input
# (crates/record/src/meter.rs), which gst-launch cannot have, so gst-matched has neither.
gst_args() {
    local kind=$1 k=$2 dir=$3 c m url
    for c in 1 2 3 4; do
        mkdir -p "$dir/cam$c"
        url=rtsp://127.0.0.1:$PORT/cam$((4 * (k - 1) + c))
        if [[ $kind == gst-bare ]]; then
            printf '%s\n' rtspsrc "location=$url" protocols=tcp latency=200 '!' rtph264depay \
                '!' h264parse config-interval=-1 '!' queue \
                '!' splitmuxsink max-size-time=2500000000 'muxer="mp4mux fragment-duration=500"' \
                "location=$dir/cam$c/%06d.mp4"
        else
            printf '%s\n' rtspsrc "location=$url" protocols=tcp latency=200 tcp-timeout=3000000 \
                '!' rtph264depay '!' h264parse config-interval=-1 \
                '!' queue max-size-time=4000000000 max-size-bytes=0 max-size-buffers=0 \
                '!' splitmuxsink max-size-time=2500000000 send-keyframe-requests=false \
                'muxer="mp4mux fragment-duration=500"' "location=$dir/cam$c/%06d.mp4"
        fi
    done
    for m in 1 2 3 4 5 6; do
        mkdir -p "$dir/mic$m"
        printf '%s\n' audiotestsrc is-live=true wave=sine volume=0.2 samplesperbuffer=960 "freq=$((220 * m)).0"
        if [[ $kind == gst-bare ]]; then
            printf '%s\n' '!' audio/x-raw,rate=48000,channels=1 '!' level '!' volume '!' audioconvert '!' flacenc \
                '!' identity drop-buffer-flags=header
        else
            printf '%s\n' '!' audio/x-raw,format=S16LE,rate=48000,channels=1 '!' flacenc \
                '!' identity drop-buffer-flags=header
        fi
        printf '%s\n' '!' "s$m.audio_%u" splitmuxsink "name=s$m" max-size-time=2000000000 muxer=matroskamux \
            "location=$dir/mic$m/%06d.mka"
    done
}
