"""The website: shopper chat, support console and insights (aiohttp; see web.server)."""
