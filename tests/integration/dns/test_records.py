"""Every record type for the book's Services: headless ``kubia`` and ClusterIP ``kubia-public``."""

from __future__ import annotations

import dns.flags
import dns.message
import dns.rdatatype

from petset.dns import dig
from tests.integration.dns.harness import DNSCluster, answers, manifest, pod_ip, rcode, section

SVC = "kubia.default.svc.cluster.local."
SOA = "cluster.local. 30 SOA ns.dns.cluster.local. hostmaster.cluster.local."


async def book_cluster(cluster: DNSCluster, pods: int = 2) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    for i in range(pods):
        await cluster.create_pod(f"kubia-{i}")
    await cluster.wait_for(SVC, "SRV", lambda m: len(answers(m)) == pods)


async def test_headless_service_a_records_list_every_ready_pod(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    reply = await cluster.query(SVC, "A")
    assert reply.flags & dns.flags.AA
    assert answers(reply) == [f"{SVC} 30 A {pod_ip(0)}", f"{SVC} 30 A {pod_ip(1)}"]


async def test_each_pet_has_its_own_a_record(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    for i in range(2):
        reply = await cluster.query(f"kubia-{i}.{SVC}", "A")
        assert answers(reply) == [f"kubia-{i}.{SVC} 30 A {pod_ip(i)}"]


async def test_srv_for_the_bare_service_name_as_the_book_shows(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    reply = await cluster.query(SVC, "SRV")
    assert answers(reply) == [f"{SVC} 30 SRV 0 50 80 kubia-0.{SVC}", f"{SVC} 30 SRV 0 50 80 kubia-1.{SVC}"]
    assert section(reply.additional) == [f"kubia-0.{SVC} 30 A {pod_ip(0)}", f"kubia-1.{SVC} 30 A {pod_ip(1)}"]


async def test_srv_for_the_named_port(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    name = f"_http._tcp.{SVC}"
    reply = await cluster.query(name, "SRV")
    assert answers(reply) == [f"{name} 30 SRV 0 50 80 kubia-0.{SVC}", f"{name} 30 SRV 0 50 80 kubia-1.{SVC}"]
    assert len(reply.additional) == 2
    assert rcode(await cluster.query(f"_http._udp.{SVC}", "SRV")) == "NXDOMAIN"
    # The empty non-terminal _tcp exists: no data, but no NXDOMAIN either.
    ent = await cluster.query(f"_tcp.{SVC}", "SRV")
    assert (rcode(ent), ent.answer) == ("NOERROR", [])


async def test_ptr_for_pod_addresses_names_the_pet(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    reverse = "10.0.244.10.in-addr.arpa."
    assert pod_ip(0) == "10.244.0.10"
    assert answers(await cluster.query(reverse, "PTR")) == [f"{reverse} 30 PTR kubia-0.{SVC}"]


async def test_pod_a_records_and_ptr_for_a_pod_outside_any_service(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    name = "10-244-0-10.default.pod.cluster.local."
    assert answers(await cluster.query(name, "A")) == [f"{name} 30 A 10.244.0.10"]
    await cluster.create_pod("loner-7", labels={"app": "other"}, subdomain="")
    loner = "10-244-0-17.default.pod.cluster.local."
    await cluster.wait_for(loner, "A", lambda m: answers(m) == [f"{loner} 30 A 10.244.0.17"])
    assert answers(await cluster.query("17.0.244.10.in-addr.arpa.", "PTR")) == [
        f"17.0.244.10.in-addr.arpa. 30 PTR {loner}"]
    # Only addresses a pod of that namespace has (CoreDNS "pods verified").
    assert rcode(await cluster.query("10-244-0-10.other.pod.cluster.local.", "A")) == "NXDOMAIN"
    assert rcode(await cluster.query("10-9-9-9.default.pod.cluster.local.", "A")) == "NXDOMAIN"


async def test_dns_version_txt(cluster: DNSCluster) -> None:
    assert answers(await cluster.query("dns-version.cluster.local.", "TXT")) == [
        'dns-version.cluster.local. 30 TXT "1.1.0"']


async def test_known_name_without_that_type_is_nodata_with_soa(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    for name, rtype in ((f"kubia-0.{SVC}", "AAAA"), (f"kubia-0.{SVC}", "TXT"), (SVC, "AAAA"),
                        ("default.svc.cluster.local.", "A"), ("svc.cluster.local.", "A")):
        reply = await cluster.query(name, rtype)
        assert (rcode(reply), reply.answer) == ("NOERROR", []), (name, rtype)
        assert [line.rsplit(" ", 5)[0] for line in section(reply.authority)] == [SOA], (name, rtype)


async def test_unknown_names_are_nxdomain_with_soa(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    for name in ("nosuch.default.svc.cluster.local.", f"kubia-9.{SVC}", "kubia.nosuchns.svc.cluster.local.",
                 "anything.cluster.local."):
        reply = await cluster.query(name, "A")
        assert rcode(reply) == "NXDOMAIN", name
        assert reply.flags & dns.flags.AA
        assert [line.rsplit(" ", 5)[0] for line in section(reply.authority)] == [SOA], name


async def test_names_are_case_insensitive_and_the_question_case_is_echoed(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    reply = await cluster.query("KUBIA-0.Kubia.DEFAULT.svc.Cluster.Local.", "A")
    assert [rrset.name.to_text() for rrset in reply.answer] == ["KUBIA-0.Kubia.DEFAULT.svc.Cluster.Local."]
    assert [str(r) for r in reply.answer[0]] == [pod_ip(0)]


async def test_ttl_is_configurable(tmp_path: object) -> None:
    from pathlib import Path

    from tests.integration.dns.harness import dns_cluster
    async with dns_cluster(Path(str(tmp_path)), ttl=5) as cluster:
        await book_cluster(cluster, pods=1)
        assert answers(await cluster.query(SVC, "A")) == [f"{SVC} 5 A {pod_ip(0)}"]
        reply = await cluster.query("nosuch.cluster.local.", "A")
        assert reply.authority[0].ttl == 5
        assert reply.authority[0][0].minimum == 5


async def test_public_service_resolves_to_its_cluster_ip(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    public = await cluster.create_service(manifest("kubia-service-public.yaml"))
    ip = public["spec"]["clusterIP"]
    name = "kubia-public.default.svc.cluster.local."
    reply = await cluster.wait_for(name, "A", lambda m: bool(m.answer))
    assert answers(reply) == [f"{name} 30 A {ip}"]
    srv = await cluster.query(name, "SRV")
    assert answers(srv) == [f"{name} 30 SRV 0 100 80 {name}"]
    assert section(srv.additional) == [f"{name} 30 A {ip}"]
    # Its only port has no name, so there is no _port._proto record.
    assert rcode(await cluster.query(f"_http._tcp.{name}", "SRV")) == "NXDOMAIN"
    reverse = ".".join(reversed(ip.split("."))) + ".in-addr.arpa."
    assert answers(await cluster.query(reverse, "PTR")) == [f"{reverse} 30 PTR {name}"]


async def test_public_service_answers_without_ready_pods(cluster: DNSCluster) -> None:
    public = await cluster.create_service(manifest("kubia-service-public.yaml"))
    name = "kubia-public.default.svc.cluster.local."
    reply = await cluster.wait_for(name, "A", lambda m: bool(m.answer))
    assert answers(reply) == [f"{name} 30 A {public['spec']['clusterIP']}"]


async def test_any_query_returns_every_type(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    reply = await cluster.query(SVC, "ANY")
    types = {dns.rdatatype.to_text(rrset.rdtype) for rrset in reply.answer}
    assert types == {"A", "SRV"}


async def test_external_name_service_is_a_cname(cluster: DNSCluster) -> None:
    await cluster.create_service({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                                  "spec": {"type": "ExternalName", "externalName": "db.example.com"}})
    name = "ext.default.svc.cluster.local."
    reply = await cluster.wait_for(name, "A", lambda m: bool(m.answer))
    assert answers(reply) == [f"{name} 30 CNAME db.example.com."]


async def test_zone_apex_soa_and_ns(cluster: DNSCluster) -> None:
    soa = await cluster.query("cluster.local.", "SOA")
    assert [line.rsplit(" ", 5)[0] for line in answers(soa)] == [SOA]
    assert answers(await cluster.query("cluster.local.", "NS")) == ["cluster.local. 30 NS ns.dns.cluster.local."]


async def test_dig_prints_the_books_answer(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    text = await dig("kubia.default.svc.cluster.local", "SRV", "127.0.0.1", cluster.port)
    assert "kubia.default.svc.cluster.local. 30 IN SRV 0 50 80 kubia-0.kubia.default.svc.cluster.local." in text
    assert "kubia.default.svc.cluster.local. 30 IN SRV 0 50 80 kubia-1.kubia.default.svc.cluster.local." in text
    assert ";; ADDITIONAL SECTION:\nkubia-0.kubia.default.svc.cluster.local. 30 IN A 10.244.0.10" in text
    assert "status: NOERROR" in text
    missing = await dig("nosuch.default.svc.cluster.local", "A", "127.0.0.1", cluster.port)
    assert "status: NXDOMAIN" in missing
    assert ";; AUTHORITY SECTION:\ncluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local." in missing


async def test_dig_retries_over_tcp_when_truncated(cluster: DNSCluster) -> None:
    await cluster.create_service(manifest("kubia-service-headless.yaml"))
    for i in range(40):
        await cluster.create_pod(f"kubia-{i}")
    await cluster.wait_for(SVC, "A", lambda m: len(answers(m)) == 40, tcp=True)
    text = await dig("kubia.default.svc.cluster.local", "A", "127.0.0.1", cluster.port)
    assert ";; Truncated, retrying in TCP mode." in text
    assert text.count(" 30 IN A ") == 40
    assert "(TCP)" in text
    assert "connection timed out" in await dig("x.cluster.local", "A", "127.0.0.1", 9, timeout=0.2)


async def test_message_shape_is_a_valid_dns_response(cluster: DNSCluster) -> None:
    await book_cluster(cluster)
    q = dns.message.make_query(SVC, "SRV")
    q.flags &= ~dns.flags.RD
    from dns import asyncquery
    reply = await asyncquery.udp(q, "127.0.0.1", port=cluster.port, timeout=2)
    assert reply.id == q.id
    assert not reply.flags & dns.flags.RD
    assert reply.flags & dns.flags.QR
