import asyncio, json


async def test_smoke(studio, media, ask):
    comm_of = lambda s: s.comm
    c = comm_of(studio)
    print(c.sent[0]["data"]["state"].keys())
    a, _ = await ask(studio, "validate", request={"function": "image_reference", "prompt": "x", "ref_images_url": [str(media.image)]})
    print(a)
    a, _ = await ask(studio, "submit", request={"function": "image_reference", "prompt": "x", "ref_images_url": [str(media.image)]})
    print(a)
    task = studio.tasks[0]
    await task.wait(30)
    await asyncio.sleep(0.4)
    for p in c.pushes("tasks"):
        print(len(json.dumps(p)), p)
    print(studio.results)
    a, b = await ask(studio, "video", local_id=task.local_id, offset=0)
    print(a, len(b[0]))
