#!/bin/sh
# The real Gradle against a real `fabrik daemon`: a cold build stores task
# outputs over the HTTP build cache (with Basic credentials), a warm build
# from a wiped project and an empty Gradle home must take them FROM-CACHE.
. "$(dirname "$0")/lib/tap.sh"

command -v gradle >/dev/null 2>&1 || skip_all "gradle not installed"
command -v java >/dev/null 2>&1 || skip_all "java not installed"

start_fabrik d daemon --config-cache-dir "$TRASH/cache" \
    --config-daemon-bind 127.0.0.1:0 \
    --config-observability-health-bind 127.0.0.1:0 \
    --config-observability-metrics-bind 127.0.0.1:0 \
    --config-auth-required true --config-auth-tokens gradle-secret
ok $? "fabrik daemon starts"

proj=$TRASH/proj
mkdir -p "$proj/src/main/java/demo"
cat >"$proj/settings.gradle" <<GRADLE
rootProject.name = 'demo'
buildCache {
    local { enabled = false }
    remote(HttpBuildCache) {
        url = 'http://127.0.0.1:$d_port_http/cache/'
        push = true
        credentials {
            username = 'ci'
            password = 'gradle-secret'
        }
    }
}
GRADLE
cat >"$proj/build.gradle" <<'GRADLE'
apply plugin: 'java'
sourceCompatibility = 1.8
targetCompatibility = 1.8
GRADLE
cat >"$proj/src/main/java/demo/Hello.java" <<'JAVA'
package demo;

public class Hello {
	public static String greet(String who) {
		return "hello, " + who;
	}

	public static void main(String[] args) {
		System.out.println(greet("fabrik"));
	}
}
JAVA

run_gradle() {
	(cd "$proj" && GRADLE_USER_HOME="$TRASH/gradle-home-$1" \
	    timeout 600 gradle --no-daemon --build-cache --console=plain \
	    jar) >"$TRASH/gradle-$1.log" 2>&1
}

run_gradle cold
ok $? "cold gradle build succeeds"
grep -q ':compileJava' "$TRASH/gradle-cold.log" &&
    ! grep -q ':compileJava FROM-CACHE' "$TRASH/gradle-cold.log"
ok $? "cold build compiles (nothing in the cache yet)"
objects=$(find "$TRASH/cache/objects" -type f | wc -l)
[ "$objects" -ge 1 ]
ok $? "cold build stored task outputs in fabrik ($objects objects)"

# Wipe every local trace of the first build.
rm -rf "$proj/build" "$proj/.gradle"
run_gradle warm
ok $? "warm gradle build succeeds"
grep -q ':compileJava FROM-CACHE' "$TRASH/gradle-warm.log"
ok $? "warm build takes compileJava FROM-CACHE from fabrik"
[ -f "$proj/build/libs/demo.jar" ]
ok $? "warm build produced the jar from cached classes"

hits=$(curl -s "http://127.0.0.1:$d_port_metrics/metrics" |
    sed -n 's/^fabrik_tool_requests_total{tool="gradle",result="hit"} //p')
[ "${hits:-0}" -ge 1 ]
ok $? "fabrik counted gradle cache hits ($hits)"

# Wrong credentials: Gradle must be refused (401), never served.
code=$(curl -s -o /dev/null -w '%{http_code}' -u ci:wrong \
    "http://127.0.0.1:$d_port_http/cache/0123456789abcdef0123456789abcdef")
is "$code" 401 "wrong Basic password is refused with 401"

if [ $tap_failed -ne 0 ]; then
	sed 's/^/#   /' "$TRASH/gradle-warm.log" | tail -40
	sed 's/^/#   /' "$TRASH/d.log" | tail -20
fi
stop_fabrik d
ok $? "fabrik exits 0 on SIGTERM"
done_testing
