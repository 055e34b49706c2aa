//! Loopback RTSP test cameras (gst-rtsp-server): stand-ins for a courtroom's IP cameras in
//! the demo, the fault tests and the benchmark. Bound to an address the caller chooses
//! (tests use 127.0.0.1 only).

use crate::pipeline::PipelineError;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;
use std::path::Path;

/// What each test camera streams.
pub enum CameraFeed<'a> {
    /// A live test pattern with a clock, encoded to H.264 in the server (keyframe each second).
    Pattern,
    /// A pre-encoded H.264 Annex B elementary stream file (25 frames/s), looped, with no
    /// encoding cost. An elementary stream carries no timestamps: h264parse gives frames
    /// a DTS from the frame rate, and the server copies it to the PTS that RTP needs
    /// (without it every packet carried one RTP timestamp). The file must have no B-frames.
    H264File(&'a Path),
}

/// A media factory whose every URL maps to one shared media: mounted at every camera path,
/// it makes all the cameras one feed, read and packetized once and sent to each client.
mod one_feed {
    use gstreamer_rtsp_server as rtsp;
    use gstreamer_rtsp_server::glib;
    use gstreamer_rtsp_server::subclass::prelude::*;

    glib::wrapper! {
        pub struct OneFeedFactory(ObjectSubclass<imp::OneFeedFactory>)
            @extends rtsp::RTSPMediaFactory;
    }

    impl Default for OneFeedFactory {
        fn default() -> Self {
            glib::Object::new()
        }
    }

    mod imp {
        use super::*;

        #[derive(Default)]
        pub struct OneFeedFactory;

        #[glib::object_subclass]
        impl ObjectSubclass for OneFeedFactory {
            const NAME: &'static str = "VerbatimOneFeedFactory";
            type Type = super::OneFeedFactory;
            type ParentType = rtsp::RTSPMediaFactory;
        }

        impl ObjectImpl for OneFeedFactory {}

        impl RTSPMediaFactoryImpl for OneFeedFactory {
            // The default key is the URL's path: one media per camera path.
            fn gen_key(&self, _url: &rtsp::gst_rtsp::RTSPUrl) -> Option<glib::GString> {
                Some("one-feed".into())
            }
        }
    }
}

/// The launch line of camera `i`'s media (`i` names it in the pattern's overlay).
fn launch_line(feed: &CameraFeed, i: u32) -> Result<String, PipelineError> {
    Ok(match feed {
        CameraFeed::Pattern => format!(
            "( videotestsrc is-live=true pattern={} ! video/x-raw,width=640,height=360,framerate=25/1 \
             ! timeoverlay text=\"cam{i}\" ! x264enc tune=zerolatency speed-preset=ultrafast \
             bitrate=800 key-int-max=25 ! rtph264pay name=pay0 pt=96 config-interval=-1 )",
            ["smpte", "ball", "snow", "pinwheel"][(i as usize - 1) % 4]
        ),
        CameraFeed::H264File(path) => {
            let p = path.to_string_lossy();
            if p.contains(['"', '(', ')', '!', ' ']) {
                return Err(PipelineError::Gst(format!(
                    "test camera file path {p:?} must not contain spaces, quotes, parentheses or '!'"
                )));
            }
            format!(
                "( multifilesrc location=\"{p}\" loop=true \
                 caps=\"video/x-h264,stream-format=byte-stream,framerate=25/1\" \
                 ! h264parse name=parse ! identity sync=true \
                 ! rtph264pay name=pay0 pt=96 config-interval=-1 )"
            )
        }
    })
}

/// Sets up `factory` to serve `launch`, one media shared by every client.
fn configure(factory: &rtsp::RTSPMediaFactory, launch: &str) {
    factory.set_launch(launch);
    factory.connect_media_configure(|_, media| {
        let Ok(bin) = media.element().downcast::<gstreamer::Bin>() else {
            return;
        };
        if let Some(pad) = bin.by_name("parse").and_then(|p| p.static_pad("src")) {
            pad.add_probe(gstreamer::PadProbeType::BUFFER, |_, info| {
                if let Some(gstreamer::PadProbeData::Buffer(buf)) = &mut info.data {
                    if buf.pts().is_none() {
                        let dts = buf.dts();
                        buf.make_mut().set_pts(dts);
                    }
                }
                gstreamer::PadProbeReturn::Ok
            });
        }
    });
    // One encoder per camera, shared by every client, as a real camera has.
    factory.set_shared(true);
}

/// Serves `cameras` streams at `rtsp://ADDRESS:PORT/cam1` ... `/camN` until the process ends.
/// With `one_feed`, every path serves the same stream (camera 1's), read and packetized once
/// and sent to each client: the benchmark's many cameras then cost the server the sending
/// alone, which leaves more of the machine to the recorder being measured.
pub fn serve(
    address: &str,
    port: u16,
    cameras: u32,
    feed: CameraFeed,
    one_feed: bool,
) -> Result<(), PipelineError> {
    crate::init()?;
    let server = rtsp::RTSPServer::new();
    server.set_address(address);
    server.set_service(&port.to_string());
    let mounts = server
        .mount_points()
        .ok_or_else(|| PipelineError::Gst("the RTSP server has no mount points".into()))?;
    let shared = if one_feed {
        let f = one_feed::OneFeedFactory::default();
        configure(f.upcast_ref(), &launch_line(&feed, 1)?);
        Some(f)
    } else {
        None
    };
    for i in 1..=cameras {
        let factory: rtsp::RTSPMediaFactory = match &shared {
            Some(f) => f.clone().upcast(),
            None => {
                let f = rtsp::RTSPMediaFactory::new();
                configure(&f, &launch_line(&feed, i)?);
                f
            }
        };
        mounts.add_factory(&format!("/cam{i}"), factory);
    }
    let main = glib::MainLoop::new(None, false);
    let _id = server
        .attach(None)
        .map_err(|e| PipelineError::Gst(format!("cannot listen on {address}:{port}: {e}")))?;
    main.run();
    Ok(())
}
