#!/usr/bin/env bash
# An unmodified application behind toa.ko: nginx's access log ($remote_addr, taken from
# accept()) must show the client the load balancer named in the TOA.
#
#   toalb: the load balancer                       toars: the real server
#   (tests/e2e/toa_inject.py, scapy)               (toa.ko; nginx on 203.0.113.11:80
#                                                   and [2001:db8:5::11]:80)
#   eth0 203.0.113.100/24  2001:db8:5::100/64 ---- eth0 203.0.113.11/24  2001:db8:5::11/64
#
#   Each connection: handshake with the TOA in the ACK, GET /, nginx answers and closes.
#   nginx runs from its own config in a temporary directory, logs there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/toa_lib.sh"

NGX=$TOA_TMP/nginx

start_nginx() {
	mkdir -p "$NGX"
	cat >"$NGX/nginx.conf" <<-EOF
		daemon off;
		master_process off;
		worker_processes 1;
		pid $NGX/nginx.pid;
		error_log $NGX/error.log info;
		events { worker_connections 64; }
		http {
			log_format toa '\$remote_addr \$remote_port "\$request" \$status';
			access_log $NGX/access.log toa;
			client_body_temp_path $NGX/body;
			proxy_temp_path $NGX/proxy;
			fastcgi_temp_path $NGX/fastcgi;
			uwsgi_temp_path $NGX/uwsgi;
			scgi_temp_path $NGX/scgi;
			server {
				listen 203.0.113.11:80;
				listen [2001:db8:5::11]:80;
				location / { return 200 "hello from nginx\n"; }
			}
		}
	EOF
	ip netns exec toars nginx -e "$NGX/error.log" -p "$NGX" -c "$NGX/nginx.conf" &
	at_exit "kill $!"
	check "nginx listens" wait_until 30 listening 80
}

logged() { [ "$(wc -l <"$NGX/access.log" 2>/dev/null || echo 0)" -ge "$1" ]; }

test_nginx() {
	snap
	check "GET / over IPv4 and IPv6 with TOAs, and one without" \
		inject --src 203.0.113.100 --dst 203.0.113.11 --dport 80 --http toa.example \
		"toa=198.51.100.50:40050" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=[2001:db8:c::50]:40051" \
		"src=2001:db8:5::100 dst=2001:db8:5::11 toa=198.51.100.52:40052" \
		none
	check "nginx answered every request" test "$(grep -c 'reply=HTTP/1.1 200 OK.*hello from nginx' \
		"$TOA_TMP/inject.out")" = 4
	wait_until 30 logged 4
	check_eq "access log: IPv4 client" '198.51.100.50 40050 "GET / HTTP/1.1" 200' "$(sed -n 1p "$NGX/access.log")"
	check_eq "access log: IPv6 client" '2001:db8:c::50 40051 "GET / HTTP/1.1" 200' "$(sed -n 2p "$NGX/access.log")"
	check_eq "access log: IPv4 client through an IPv6 load balancer" \
		'::ffff:198.51.100.52 40052 "GET / HTTP/1.1" 200' "$(sed -n 3p "$NGX/access.log")"
	check "access log: without a TOA, the load balancer" \
		grep -Eq '^203\.0\.113\.100 [0-9]+ "GET / HTTP/1\.1" 200$' <(sed -n 4p "$NGX/access.log")
	check_deltas "counters match" syn_recv_sock_toa=3 syn_recv_sock_no_toa=1 entries_alloc=3
	check "entries_alloc == entries_free once the connections are closed" wait_until 30 entries_balanced
}

toa_topology
start_injector
check "toa.ko loads" insmod "$TOA_KO"
start_nginx
test_nginx
check "toa.ko unloads under nginx" rmmod toa
finish
